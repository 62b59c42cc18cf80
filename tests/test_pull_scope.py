"""A live pull's scope in the audit: tenant, cloud, window and completeness, never the secret.

Pulls run through `siem2graph pull` against the emulator; the pulled file is then audited and
rendered in every format (plain and redacted).
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from siem2graph.audit import audit_sources
from siem2graph.cli import build_parser, run_handler
from siem2graph.cli.pull import run_pull
from siem2graph.graph.cache import read_record, record_path
from siem2graph.model import AuditReport
from siem2graph.pulls import OTHER_FILE, UNREADABLE, pull_scopes
from siem2graph.report import EXPORTERS
from siem2graph.report.summary import summary_items
from siem2graph.sources import Source
from tests.graph_helpers import END, SECRET, SECRET_CLIENT, START, TENANT, FakeTime, make_alerts
from tests.helpers import json_source, legacy_for_example
from tests.report_inputs import render_all
from tests.system import pdf_text
from ui import nav, state

pytest_plugins = ["tests.graph_fixtures"]

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PULLED = "pulled.ndjson"


def pull(server, monkeypatch, folder: Path) -> tuple[int, Path]:
    """`siem2graph pull` of the emulator's alerts into folder/pulled.ndjson; (exit code, path)."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.ca_path))
    monkeypatch.setenv("TEST_GRAPH_SECRET", SECRET)
    out = folder / PULLED
    args = build_parser().parse_args(
        [
            *("pull", "--tenant-id", TENANT, "--client-id", SECRET_CLIENT),
            *("--client-secret-env", "TEST_GRAPH_SECRET", "--cloud", "gcc"),
            *("--authority", server.url, "--graph-url", server.url),
            *("--since", START.isoformat(), "--until", END.isoformat(), "--out", str(out)),
        ]
    )
    fake = FakeTime()
    err = io.StringIO()
    code = run_handler(
        lambda: run_pull(
            args, stdout=io.StringIO(), stderr=err, clock=fake.clock, sleep=fake.sleep
        ),
        err,
    )
    return code, out


def audit(path: Path) -> AuditReport:
    return audit_sources(
        [json_source("legacy.json", [legacy_for_example()])], [Source.from_path(path)]
    )


@pytest.fixture(scope="module")
def complete(emulator_server, tmp_path_factory) -> tuple[AuditReport, Path]:
    emulator_server.set_alerts(make_alerts())  # whatever the tests before left
    emulator_server.configure()
    with pytest.MonkeyPatch.context() as monkeypatch:
        code, path = pull(emulator_server, monkeypatch, tmp_path_factory.mktemp("complete"))
    assert code == 0
    return audit(path), path


@pytest.fixture(scope="module")
def partial(emulator_server, tmp_path_factory) -> AuditReport:
    emulator_server.set_alerts(make_alerts())
    emulator_server.configure(outage_after=1, next_link=False)
    with pytest.MonkeyPatch.context() as monkeypatch:
        code, path = pull(emulator_server, monkeypatch, tmp_path_factory.mktemp("partial"))
    emulator_server.configure()
    assert code == 3
    return audit(path)


def test_the_record_names_tenant_cloud_window_and_file(complete):
    _, path = complete
    record = read_record(path)
    assert record is not None
    assert (record["tenant_id"], record["cloud"], record["partial"]) == (TENANT, "gcc", False)
    assert record["since"] == "2025-03-01T00:00:00Z" and record["until"] == "2025-03-03T00:00:00Z"
    assert record["sha256"] == Source.from_path(path).sha256()
    assert SECRET not in record_path(path).read_text()


def test_a_complete_pull_is_in_the_report(complete, emulator_server):
    report, _ = complete
    (scope,) = report.to_dict()["pulls"]
    assert scope == {
        "file": PULLED,
        "tenant_id": TENANT,
        "cloud": "gcc",
        "graph_url": emulator_server.url,
        "since": "2025-03-01T00:00:00Z",
        "until": "2025-03-03T00:00:00Z",
        "service_source": "all",
        "partial": False,
        "reason": "",
        "alerts": 2500,
    }
    assert report.to_frames()["pulls"].loc[0, "tenant_id"] == TENANT


def test_a_partial_pull_says_so_and_why(partial):
    (scope,) = partial.pulls
    assert scope.partial and "503" in scope.reason and scope.alerts < 2500


def test_uploads_have_no_pull_scope(complete):
    _, path = complete
    report = audit_sources(
        [json_source("legacy.json", [legacy_for_example()])],
        [Source.from_bytes(PULLED, path.read_bytes())],
    )
    assert report.pulls == () and report.to_dict()["pulls"] == []


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda path: path.write_bytes(path.read_bytes()[:-200]), OTHER_FILE),
        (lambda path: record_path(path).write_text("not json"), UNREADABLE),
        (lambda path: record_path(path).write_text("[1]"), UNREADABLE),
    ],
    ids=["file-edited", "record-garbled", "record-not-an-object"],
)
def test_a_pull_that_cannot_be_vouched_for_is_partial(complete, tmp_path, damage, reason):
    _, original = complete
    path = Path(shutil.copy(original, tmp_path / PULLED))
    shutil.copy(record_path(original), record_path(path))
    damage(path)
    (scope,) = audit(path).pulls
    assert scope.partial and reason in scope.reason


def test_a_spent_iterator_is_refused(complete):
    report, _ = complete
    with pytest.raises(ValueError, match="spent iterator"):
        pull_scopes(iter(()), report.inputs)


def _texts(files: dict[str, bytes]) -> str:
    """The text of rendered files, whitespace removed (PDF lines break anywhere)."""
    parts = []
    for name, data in files.items():
        if name.endswith(".xlsx"):
            with zipfile.ZipFile(io.BytesIO(data)) as book:
                parts += [book.read(member).decode() for member in book.namelist()]
        elif name.endswith(".pdf"):
            parts.append(pdf_text(data))
        else:
            parts.append(data.decode())
    return "".join("".join(parts).split())


def _shown(fmt: str, report: AuditReport) -> list[str]:
    """What a format must show of the report's one pull (whitespace removed)."""
    (scope,) = report.pulls
    if fmt == "json":
        return [
            f'"tenant_id":"{TENANT}"',
            '"cloud":"gcc"',
            f'"partial":{str(scope.partial).lower()}',
        ]
    return [f"{TENANT}(gcccloud", "PARTIAL:" if scope.partial else "complete:2,500alerts"]


@pytest.mark.parametrize("redact", [False, True], ids=["plain", "redacted"])
@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_every_format_shows_the_scope_and_never_the_secret(complete, partial, fmt, redact):
    for report in (complete[0], partial):
        text = _texts(render_all(report, [fmt], redact=redact, images=False))
        assert all(part in text for part in _shown(fmt, report)), fmt
        assert SECRET not in text


def test_summary_rows_name_the_pull(partial):
    rows = {item: value for section, item, value in summary_items(partial) if section == "Scope"}
    assert rows[f"live pull {PULLED}: tenant"].startswith(f"{TENANT} (gcc cloud, https://")
    assert rows[f"live pull {PULLED}: window"].startswith("created 2025-03-01T00:00:00Z to")
    assert rows[f"live pull {PULLED}: completeness"].startswith("PARTIAL: ")


@pytest.mark.parametrize("page", [nav.OVERVIEW, nav.SOURCES], ids=["overview", "sources"])
def test_pages_warn_about_a_partial_pull(complete, partial, page):
    for report, warned in ((complete[0], False), (partial, True)):
        at = AppTest.from_file(APP, default_timeout=120)
        at.session_state[state.SAMPLE_TRIED] = True
        at.session_state[state.REPORT] = report
        at.session_state[state.REPORT_ID] = f"pull-scope-{warned}"
        at.run()
        at.switch_page(page.path).run()
        assert not at.exception, [e.value for e in at.exception]
        warnings = [w.value for w in at.warning if "partial live pull" in w.value]
        assert bool(warnings) == warned
