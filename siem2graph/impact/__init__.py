"""Content impact: SIEM field references in detection content, judged by the mapping and audit."""

from siem2graph.impact.engine import FORMATS, analyse_content, read_content_paths
from siem2graph.impact.evidence import Evidence, evidence_from_audit
from siem2graph.impact.finder import USAGES
from siem2graph.impact.model import (
    BRIDGE_LABELS,
    BRIDGE_VERDICTS,
    REFERENCE_VERDICTS,
    RULE_VERDICTS,
    ContentImpact,
    FileProblem,
    Reference,
    RuleImpact,
)

__all__ = [
    "BRIDGE_LABELS",
    "BRIDGE_VERDICTS",
    "FORMATS",
    "REFERENCE_VERDICTS",
    "RULE_VERDICTS",
    "USAGES",
    "ContentImpact",
    "Evidence",
    "FileProblem",
    "Reference",
    "RuleImpact",
    "analyse_content",
    "evidence_from_audit",
    "read_content_paths",
]
