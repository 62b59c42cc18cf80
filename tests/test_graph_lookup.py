"""One Graph alert found again in its files, as received (JSON document or NDJSON)."""

from __future__ import annotations

import orjson

from siem2graph.graph.lookup import raw_alert
from siem2graph.sources import Source
from tests.helpers import graph_example


def test_the_latest_version_of_an_alert_is_found_in_json_and_ndjson():
    old = graph_example() | {"id": "a1", "lastUpdateDateTime": "2026-01-01T00:00:00Z"}
    new = old | {"lastUpdateDateTime": "2026-02-01T00:00:00Z", "status": "resolved"}
    other = graph_example() | {"id": "b2"}
    document = Source.from_bytes("g.json", orjson.dumps({"value": [old, other, new]}))
    lines = Source.from_bytes("g.ndjson", b"\n".join(orjson.dumps(a) for a in (new, other, old)))
    for source in (document, lines):
        assert raw_alert([source], "a1") == new
        assert raw_alert([source], "missing") is None
