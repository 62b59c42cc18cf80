"""Golden report for the bundled sample: report.md and a normalised report.json; its PDF
read back.

Regenerate on purpose only: SIEM2GRAPH_REGEN_GOLDEN=1 python -m pytest tests/test_report_golden.py
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from siem2graph.audit import audit_files
from siem2graph.model import AuditReport
from tests.report_inputs import render_all
from tests.system import pdf_text

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("SIEM2GRAPH_REGEN_GOLDEN") == "1"
_RUN_ROWS = re.compile(r"^\| Run \| (generated at|run seconds|engine) \| .* \|$", re.M)


def normalised_json(data: bytes) -> str:
    """report.json without what changes from run to run."""
    report = json.loads(data)
    for key in ("generated_at", "run_seconds", "engine"):
        report.pop(key)
    return json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def normalised_md(data: bytes) -> str:
    return _RUN_ROWS.sub(r"| Run | \1 | (varies) |", data.decode())


@pytest.fixture(scope="module")
def sample_report() -> AuditReport:
    return audit_files([SAMPLE / "legacy_siem_export.csv"], [SAMPLE / "graph_alerts_v2.json"])


@pytest.fixture(scope="module")
def outputs(sample_report):
    files = render_all(sample_report, ["json", "md"], images=False)
    return {
        "report.md": normalised_md(files["report.md"]),
        "report.json": normalised_json(files["report.json"]),
    }


@pytest.mark.parametrize("name", ["report.md", "report.json"])
def test_sample_report_matches_the_golden(outputs, name):
    golden = GOLDEN / name
    if REGEN:
        golden.write_text(outputs[name], encoding="utf-8")
    assert golden.is_file(), f"no {golden}; run with SIEM2GRAPH_REGEN_GOLDEN=1"
    assert outputs[name] == golden.read_text(encoding="utf-8"), (
        f"{name} differs from the golden; if the change is intended, regenerate with "
        "SIEM2GRAPH_REGEN_GOLDEN=1"
    )


def test_pdf_risk_register_gives_microsofts_longest_note_whole(sample_report):
    """On the first page, a dropped field's reason is Microsoft's note, uncut: the sample's
    longest (AlertPart, ReportId) takes three lines of its cell."""
    pdf = render_all(sample_report, ["pdf"], images=False)["report.pdf"]
    first_page = pdf_text(pdf, "-f", "1", "-l", "1")
    assert "Risk register" in first_page
    assert "…" not in first_page  # no cell of page 1 is cut
    words = " ".join(first_page.split())
    assert "no Graph field: Obsolete (Defender for Endpoint alerts are" in words
    assert "while the SIEM API were immutable records of detections)" in words
