"""A second column of one name and a JSON key given twice: the first is used, and it is said."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from streamlit.testing.v1 import AppTest

from siem2graph.audit import audit_sources
from siem2graph.graph.alerts import read_graph
from siem2graph.json_keys import first_wins
from siem2graph.legacy import read_legacy
from siem2graph.mapping import load_mapping
from siem2graph.sources import Source
from tests.helpers import GRAPH_EXAMPLE, graph_example, legacy_for_example, run_cli
from ui import nav, state

ROOT = Path(__file__).resolve().parents[1]
MAPPING = load_mapping()
ALERT = "da637578995287051192_756343937"
TITLE_KEY = "key 'title' appears more than once in the record: the first value is used"
LEGACY_TITLE_KEY = "key 'AlertTitle' appears more than once in the record: the first value is used"


def _repeating(record: dict, **repeat: object) -> bytes:
    """``record``'s JSON text giving each key of ``repeat`` again, last."""
    again = b"".join(b"," + orjson.dumps(k) + b":" + orjson.dumps(v) for k, v in repeat.items())
    return orjson.dumps(record)[:-1] + again + b"}"


def _reasons(problems) -> list[tuple[int | None, str]]:
    return [(p.line, p.reason) for p in problems]


def test_a_second_column_of_one_name_is_named_by_position_and_the_first_is_used():
    content = b"AlertId,AlertTitle,Severity,AlertTitle\nda1,First,High,Second\nda2,,Low,Filled\n"
    data = read_legacy([Source.from_bytes("dup.csv", content)], MAPPING)
    assert data.detections.set_index("AlertId")["AlertTitle"].to_dict() == {
        "da1": "First",
        "da2": "Filled",
    }
    assert _reasons(data.problems) == [
        (
            None,
            "column 2 and column 4 are both named 'AlertTitle': column 2 is used, column 4 only "
            "where it is empty (1 row(s) hold different values)",
        )
    ]


def test_a_second_alert_id_column_is_named_too():
    content = b"AlertId,AlertTitle,AlertId\nda1,T,da9\n"
    data = read_legacy([Source.from_bytes("ids.csv", content)], MAPPING)
    assert data.detections["AlertId"].tolist() == ["da1"]
    assert "column 1 and column 3 are both named 'AlertId': column 1 is used" in (
        data.problems[0].reason
    )


@pytest.mark.parametrize("layout", ["ndjson", "array"])
def test_a_legacy_record_that_repeats_a_key_uses_the_first_value(layout):
    lines = [
        _repeating(legacy_for_example(), AlertTitle="Second"),
        orjson.dumps(legacy_for_example(AlertId="da2", AlertTitle="")).replace(
            b"}", b',"AlertTitle":"Filled"}'
        ),
    ]
    content = b"\n".join(lines) if layout == "ndjson" else b"[" + b",".join(lines) + b"]"
    data = read_legacy([Source.from_bytes(f"dup.{layout}", content)], MAPPING)
    titles = data.detections.set_index("AlertId")["AlertTitle"].to_dict()
    assert titles == {ALERT: legacy_for_example()["AlertTitle"], "da2": "Filled"}
    assert [line for line, _ in _reasons(data.problems)] == [1, 2]
    assert all(reason.startswith(LEGACY_TITLE_KEY) for _, reason in _reasons(data.problems))


@pytest.mark.parametrize("layout", ["ndjson", "list response"])
def test_a_graph_alert_that_repeats_a_key_uses_the_first_value(layout):
    first, second = (
        _repeating(graph_example(), title="Second"),
        orjson.dumps(graph_example() | {"id": "b"}),
    )
    if layout == "ndjson":
        content = first + b"\n" + second + b"\n"
    else:
        content = b'{"value":[' + first + b"," + second + b"]}"
    graph = read_graph([Source.from_bytes("g.json", content)], MAPPING)
    assert graph.alerts.set_index("id")["title"][ALERT] == graph_example()["title"]
    assert [(line, reason.startswith(TITLE_KEY)) for line, reason in _reasons(graph.problems)] == [
        (1, True)
    ]


def test_a_key_repeated_inside_evidence_is_named():
    alert = orjson.dumps(graph_example())
    repeated = alert.replace(b'"deviceDnsName":', b'"deviceDnsName":"first","deviceDnsName":', 1)
    graph = read_graph([Source.from_bytes("g.ndjson", repeated + b"\n" + repeated)], MAPPING)
    assert [p.reason.split(":")[0] for p in graph.problems if "key" in p.reason] == [
        "key 'deviceDnsName' appears more than once in the record"
    ] * 2


@pytest.mark.parametrize(
    "text, reread",
    [
        (b'{"a": 1, "b": {"c": "::1"}}', False),  # an IPv6 value is no key
        (b'{\n  "a" : 1,\n  "b"\t: [{"c": 2}]\n}', False),  # blanks before colons
        (b'{"a" : 1, "a": 2}', True),  # one of them spaced
        (b'{"a": "say \\"x\\": y", "b": 1}', True),  # an escaped quote: read again, no repeat
    ],
)
def test_only_texts_that_may_repeat_a_key_are_read_again(text, reread):
    value, again = first_wins(text, orjson.loads(text))
    assert again is reread
    assert value == (orjson.loads(text) if text.count(b'"a"') < 2 else {"a": 1})


def test_the_cli_names_the_repeated_column_and_key(tmp_path):
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes(b"AlertId,AlertTitle,AlertTitle\n" + ALERT.encode() + b",One,Two\n")
    graph = tmp_path / "graph.ndjson"
    graph.write_bytes(_repeating(graph_example(), title="Second") + b"\n")
    out = tmp_path / "out"
    run = run_cli("audit", "--legacy", str(legacy), "--graph", str(graph), "--out", str(out),
                  "--format", "json", "--no-store")  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "legacy.csv: column 2 and column 3 are both named 'AlertTitle'" in run.stderr
    assert f"graph.ndjson line 1: {TITLE_KEY}" in run.stderr
    problems = orjson.loads((tmp_path / "out" / "report.json").read_bytes())["problems"]
    reasons = [p["reason"] for p in problems]
    assert any(r.startswith("column 2 and column 3 are both named 'AlertTitle'") for r in reasons)
    assert any(r.startswith(TITLE_KEY) for r in reasons)


def test_sources_show_the_repeats_under_what_was_read():
    legacy = b"AlertId,AlertTitle,AlertTitle\n" + ALERT.encode() + b",One,Two\n"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[state.SAMPLE_TRIED] = True
    at.session_state[state.REPORT] = audit_sources(
        [Source.from_bytes("legacy.csv", legacy)],
        [Source.from_bytes("graph.ndjson", _repeating(graph_example(), title="Second")),
         Source.from_path(GRAPH_EXAMPLE)],
    )  # fmt: skip
    at.session_state[state.REPORT_ID] = "repeats"
    at.session_state[state.REPORT_LABEL] = "repeats"
    at.run()
    at.switch_page(nav.SOURCES.path).run()
    assert not at.exception
    shown = "\n".join(str(v) for frame in at.dataframe for v in frame.value.get("reason", []))
    assert "column … and column … are both named 'AlertTitle'" in shown
    assert "key 'title' appears more than once in the record" in shown
    assert TITLE_KEY in shown  # every problem, in full
