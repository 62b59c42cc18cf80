"""Property tests: NDJSON alert lines written in any JSON spelling (escapes, spacing, number forms,
nulls, mixed types, odd evidence) are read by the Arrow path exactly as the per-alert walk reads
them, problems included; and Spark's rows of them read alike whether it kept the lines or wrote
their records again."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siem2graph.graph.alerts import read_graph
from siem2graph.graph.chunk import NotLines
from siem2graph.sources import Source
from siem2graph.spark import parts
from tests.test_graph_read import MAPPING, assert_same, ndjson

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EVIDENCE_TYPES = ["deviceEvidence", "fileEvidence", "processEvidence", "userEvidence", "ipEvidence"]
# mapped paths' keys (mapping/fields.yaml) and some Graph has beyond them
ALERT_KEYS = ["title", "severity", "category", "detectorId", "categories", "lastUpdateDateTime",
              "createdDateTime", "providerAlertId", "detectionSource", "comments", "extra"]  # fmt: skip
EVIDENCE_KEYS = ["deviceDnsName", "remediationStatus", "detectionStatus", "fileDetails", "sha256",
                 "loggedOnUsers", "accountName", "domainName", "ipAddress", "mdeDeviceId", "tags"]  # fmt: skip

text = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6
) | st.sampled_from(
    ["", " ", "x (+2 more)", "2026-10-01T00:00:00Z", "2026-10-01", "da637_1", "NaN", "1"]
)
integer = st.integers(-(2**63), 2**63 - 1) | st.sampled_from([0, -1, 2**63, -(2**63) - 1, 10**20])
# what a key holds in one file: each kind once a type Arrow can keep, mixed kinds (read by the
# walk) rarely, so that most files take the Arrow path
kinds: dict[str, st.SearchStrategy[Any]] = {
    "text": text,
    "integer": integer,
    "boolean": st.booleans(),
    "null": st.none(),
    "texts": st.lists(st.none() | text, max_size=3),
    "float": st.floats(allow_nan=False, allow_infinity=False),
    "mixed": st.recursive(
        st.none() | st.booleans() | integer | text,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=2),
        max_leaves=5,
    ),
}
kind = st.sampled_from(
    ["text"] * 6 + ["integer", "boolean", "null", "texts", "texts", "float", "mixed"]
)


@st.composite
def alert_lines(draw: st.DrawFn) -> list[bytes]:
    """A file's alerts, each key holding values of one kind (or none) in every alert."""
    top = {k: kinds[draw(kind)] for k in ALERT_KEYS}
    below = {k: kinds[draw(kind)] for k in EVIDENCE_KEYS}
    below["fileDetails"] = st.dictionaries(st.sampled_from(["sha256", "fileName"]), text)
    below["loggedOnUsers"] = st.lists(
        st.dictionaries(st.sampled_from(["accountName", "domainName"]), text | st.none()),
        max_size=2,
    )

    def fields(strategies: dict[str, st.SearchStrategy[Any]]) -> dict[str, Any]:
        chosen = draw(st.lists(st.sampled_from(list(strategies)), unique=True, max_size=5))
        return {key: draw(strategies[key]) for key in chosen}

    lines = []
    for _ in range(draw(st.integers(1, 6))):
        evidence = [
            {
                "@odata.type": f"#microsoft.graph.security.{draw(st.sampled_from(EVIDENCE_TYPES))}",
                **fields(below),
            }
            for _ in range(draw(st.integers(0, 3)))
        ]
        item = {"id": draw(st.sampled_from(["a1", "a2", "a3", "", None])), **fields(top)}
        if draw(st.booleans()):
            item["evidence"] = draw(st.none() | st.just(evidence))
        lines.append(draw(spelt(item)).encode())
    return lines


@st.composite
def spelt(draw: st.DrawFn, item: Any) -> str:
    """``item`` as JSON text, each character, space and number spelt as a writer may."""
    space = draw(st.sampled_from(["", " ", "\t", "  "]))
    if isinstance(item, dict):
        members = [f"{draw(spelt(k))}{space}:{space}{draw(spelt(v))}" for k, v in item.items()]
        return "{" + space + f",{space}".join(members) + space + "}"
    if isinstance(item, list):
        return "[" + f",{space}".join(draw(spelt(v)) for v in item) + "]"
    if isinstance(item, str):
        return '"' + "".join(draw(_spelt_char(c)) for c in item) + '"'
    if isinstance(item, float) and item == int(item) and abs(item) < 1e15:
        whole = int(item)
        forms = [json.dumps(item), f"{whole}.0", f"{whole}e0", f"{whole}E+0"]
        return "-0.0" if item == 0 and str(item).startswith("-") else draw(st.sampled_from(forms))
    return json.dumps(item)


@st.composite
def _spelt_char(draw: st.DrawFn, char: str) -> str:
    escaped = json.dumps(char)[1:-1]
    if escaped != char:  # JSON must escape it; any of its spellings
        return (
            escaped
            if len(char.encode("utf-16-le")) > 2
            else draw(st.sampled_from([escaped, f"\\u{ord(char):04x}"]))
        )
    if char == "/":
        return draw(st.sampled_from(["/", "\\/"]))
    code = ord(char)
    if code >= 0x10000:  # a surrogate pair, or the character itself
        high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
        return draw(st.sampled_from([char, f"\\u{high:04x}\\u{low:04X}"]))
    return draw(st.sampled_from([char, f"\\u{code:04x}", f"\\u{code:04X}"]))


@SETTINGS
@given(alert_lines())
def test_alert_lines_in_any_spelling_read_as_the_walk_reads_them(lines):
    assert_same(ndjson("g.ndjson", lines))


def _parsed_line_by_line(*_args: object) -> None:
    raise NotLines("the per-line path")


@SETTINGS
@given(alert_lines())
def test_spark_keeps_lines_that_read_as_the_records_it_would_rewrite(lines):
    """Spark keeps a clean line as written where the per-line path writes its parsed record
    again: the two give the same rows, and a partition reads the same alerts from either."""
    content = b"\n".join(lines) + b"\n"
    kept = parts.graph_rows("g.ndjson", content, 0)
    with mock.patch.object(parts, "arrow_alerts", _parsed_line_by_line):
        rewritten = parts.graph_rows("g.ndjson", content, 0)
    columns = ["route", "side", "file", "number", "key", "tie"]
    pd.testing.assert_frame_equal(kept[columns], rewritten[columns])
    found = [parts.unpickled(rows["payload"].iloc[0], parts.Found) for rows in (kept, rewritten)]
    assert found[0] == found[1]
    read = [
        read_graph([Source.from_bytes("g.ndjson", b"\n".join(rows["payload"][1:]))], MAPPING)
        for rows in (kept, rewritten)
    ]
    for name in ("alerts", "values", "observed_paths"):
        pd.testing.assert_frame_equal(getattr(read[0], name), getattr(read[1], name))
