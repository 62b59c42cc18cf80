"""Read legacy SIEM API exports (every format SOCs have) into the canonical Detections frame."""

from siem2graph.legacy.aliases import AliasSet, load_alias_set
from siem2graph.legacy.frame import ALERT_ID, FILE_COLUMN, RECORD_COLUMN
from siem2graph.legacy.limits import ReadLimits
from siem2graph.legacy.reader import LegacyData, read_legacy, read_legacy_file

__all__ = [
    "ALERT_ID",
    "FILE_COLUMN",
    "RECORD_COLUMN",
    "AliasSet",
    "LegacyData",
    "ReadLimits",
    "load_alias_set",
    "read_legacy",
    "read_legacy_file",
]
