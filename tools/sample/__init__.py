"""The sample-data generator: legacy SIEM export + Graph alerts_v2 + the expected audit truth."""

from tools.sample.alerts import mean_detections
from tools.sample.generator import DEFAULT_SEED, generate

__all__ = ["DEFAULT_SEED", "generate", "mean_detections"]
