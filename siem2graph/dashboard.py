"""``siem2graph dashboard``: the Streamlit dashboard, from the repository or an installed copy.

The engine never imports Streamlit: the dashboard runs in its own ``python -m streamlit`` process.
"""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

from siem2graph.errors import InputError

INSTALLED_PACKAGE = "siem2graph_dashboard"


def app_dir() -> Path:
    """The folder of app.py, pages/ and ui/: the repository's top level or the installed copy."""
    repository = Path(__file__).resolve().parent.parent
    if (repository / "app.py").is_file():
        return repository
    spec = importlib.util.find_spec(INSTALLED_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise InputError("the dashboard is not installed with this copy of siem2graph")
    return Path(locations[0])


def _flag_value(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _flags(prefix: str, options: dict[str, object]) -> list[str]:
    flags = []
    for key, value in options.items():
        if isinstance(value, dict):  # a sub-section such as [theme.dark]
            flags += _flags(f"{prefix}{key}.", value)
        else:
            flags.append(f"--{prefix}{key}={_flag_value(value)}")
    return flags


def config_flags(folder: Path) -> list[str]:
    """The dashboard's .streamlit/config.toml as command-line flags (they apply from any folder)."""
    with (folder / ".streamlit" / "config.toml").open("rb") as stream:
        return _flags("", tomllib.load(stream))


def dashboard_command(port: int, address: str | None = None) -> list[str]:
    """The command line that serves the dashboard on ``port``."""
    folder = app_dir()
    command = [sys.executable, "-m", "streamlit", "run", str(folder / "app.py")]
    command += [*config_flags(folder), f"--server.port={port}"]
    return command + ([f"--server.address={address}"] if address else [])


def run_dashboard(port: int, address: str | None = None) -> int:
    """Serve the dashboard until it is stopped; the Streamlit process's exit code (0 when it
    was stopped by Ctrl-C or by a SIGTERM, which is passed on so no server is left behind)."""
    stopped = False

    def stop(*_: object) -> None:
        nonlocal stopped
        stopped = True
        child.terminate()

    with subprocess.Popen(dashboard_command(port, address)) as child:  # noqa: S603 (our own argv)
        previous = signal.signal(signal.SIGTERM, stop)
        try:
            code = child.wait()
        except KeyboardInterrupt:  # the terminal sent Streamlit the same interrupt
            child.wait()
            return 0
        finally:
            signal.signal(signal.SIGTERM, previous)
    return 0 if stopped else code
