"""A local HTTPS emulator of Graph alerts_v2 and its login endpoints, for tests and demos."""

from tools.graph_emulator.oidc import User
from tools.graph_emulator.server import Behaviour, GraphEmulator, Registration

__all__ = ["Behaviour", "GraphEmulator", "Registration", "User"]
