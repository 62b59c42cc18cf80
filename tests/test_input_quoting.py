"""Errors and problems quote an input's names escaped and cut; every symbolic link read is named."""

from __future__ import annotations

import orjson
import pytest

from siem2graph.errors import InputError
from siem2graph.legacy import ReadLimits, read_legacy
from siem2graph.mapping import load_mapping
from siem2graph.sources import Source
from tests.helpers import GRAPH_EXAMPLE, legacy_for_example, run_cli

MAPPING = load_mapping()
HOSTILE = "\x1b[2J\x1b[31m" + "Q" * 200  # clears a terminal, then a line a secret might hold


def _reasons(name: str, data: bytes, **limits: int) -> list[str]:
    read = read_legacy([Source.from_bytes(name, data)], MAPPING, limits=ReadLimits(**limits))
    return [p.reason for p in read.problems]


def _shown_safely(text: str) -> None:
    assert "\x1b" not in text and "\\x1b[2J" in text
    assert "Q" * 40 not in text


def test_a_header_without_alert_id_is_quoted_escaped_and_cut():
    with pytest.raises(InputError) as raised:
        read_legacy([Source.from_bytes("x.csv", f"{HOSTILE},b\n1,2\n".encode())], MAPPING)
    _shown_safely(str(raised.value))


def test_problems_naming_columns_and_keys_quote_them_escaped_and_cut():
    long_value = f"AlertId,{HOSTILE}\nda1,{'v' * 20}\n".encode()
    (too_long,) = _reasons("long.csv", long_value, max_field_chars=5)
    _shown_safely(too_long)
    twice = f"AlertId,{HOSTILE},{HOSTILE}\nda1,a,b\n".encode()
    (columns,) = _reasons("twice.csv", twice)
    assert columns.startswith("column 2 and column 3 are both named ")
    _shown_safely(columns)
    record = orjson.dumps(legacy_for_example())[:-1]
    key = orjson.dumps(HOSTILE)
    (keys,) = _reasons("keys.ndjson", record + b"," + key + b':"a",' + key + b':"b"}\n')
    _shown_safely(keys)


def test_every_symbolic_link_the_audit_reads_is_named(tmp_path):
    legacy = tmp_path / "legacy.json"
    legacy.write_bytes(orjson.dumps([legacy_for_example()]))
    aliases, content = tmp_path / "aliases.yaml", tmp_path / "rule.kql"
    aliases.write_text("name: ours\ncolumns:\n  Our Title: AlertTitle\n", encoding="utf-8")
    content.write_text("SecurityAlert | where AlertTitle != ''\n", encoding="utf-8")
    links = {}
    for target in (legacy, aliases, content):
        links[target] = tmp_path / f"link-{target.name}"
        links[target].symlink_to(target)
    run = run_cli(
        *("audit", "--legacy", str(links[legacy]), "--graph", str(GRAPH_EXAMPLE)),
        *("--aliases", str(links[aliases]), "--content", str(links[content])),
        *("--out", str(tmp_path / "out"), "--no-store"),
    )
    assert run.returncode == 0, run.stderr
    for target, link in links.items():
        assert f"{link} is a symbolic link: reading {target}" in run.stderr
    impact = run_cli("impact", "--content", str(links[content]), "--out", str(tmp_path / "i"))
    assert impact.returncode == 0, impact.stderr
    assert f"{links[content]} is a symbolic link: reading {content}" in impact.stderr
