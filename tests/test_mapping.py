"""The mapping table: Microsoft's 50 rows, nothing invented, and validation that names the row."""

from __future__ import annotations

import copy
import csv

import pytest
import yaml

from siem2graph.errors import MappingError
from siem2graph.mapping import DEFAULT_MAPPING_FILE, load_mapping, parse_mapping
from tests.helpers import RAPID7, REALWORLD

MICROSOFT_TABLE = REALWORLD / "microsoft_docs" / "siem_to_graph_field_mapping.csv"
DOCUMENT = yaml.safe_load(DEFAULT_MAPPING_FILE.read_text(encoding="utf-8"))


def _microsoft_rows() -> list[dict[str, str]]:
    with MICROSOFT_TABLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_row_per_microsoft_field_in_order():
    mapping = load_mapping()
    assert [r.siem_field for r in mapping.fields] == [r["siem_field"] for r in _microsoft_rows()]


def test_marks_and_notes_are_microsofts_verbatim():
    mapping = load_mapping()
    for ours, theirs in zip(mapping.fields, _microsoft_rows(), strict=True):
        assert ours.microsoft_mapping == theirs["mapping"], ours.siem_field
        assert ours.microsoft_note == theirs["graph_alerts_v2_property"], ours.siem_field


def test_status_follows_microsofts_wording():
    for row in load_mapping().fields:
        note = row.microsoft_note
        if row.microsoft_mapping == "X":
            expected = "obsolete" if note.startswith("Obsolete") else "unsupported"
        elif note.startswith(("Included in", "Use ")) or "(implied)" in note:
            expected = "derived"
        else:
            expected = "mapped"
        assert row.status == expected, row.siem_field


@pytest.mark.parametrize(
    ("field", "alias"),
    [
        ("IPAddress", "IpAddress"),
        ("URL", "Url"),
        ("ThreatFamilyName", "ThreatFamily"),
        ("InternalIPV4List", "InternalIPv4List"),
        ("InternalIPV6List", "InternalIPv6List"),
        ("ReportId", "ReportID"),
        ("DeviceCreatedMachineTags", "BuiltInMachineTags"),
        ("CloudCreatedMachineTags", "UserDefinedMachineTags"),
        ("IoaDefinitionId", "IoaDefinitiondId"),
        ("Sha1", "SHA1"),
    ],
)
def test_real_payload_spellings_resolve(field, alias):
    assert load_mapping().key_index[alias.casefold()] == field


def test_every_real_payload_key_is_known():
    import json

    index = load_mapping().key_index
    for name in ("siem_api_fake_alert_w10-for-atp_2018.json", "siem_api_help_example_2018.json"):
        document = json.loads((RAPID7 / name).read_text())
        records = document["results"] if isinstance(document, dict) else document
        for key in records[0]:
            assert key.casefold() in index, key


def _broken(index: int, **changes) -> dict:
    document = copy.deepcopy(DOCUMENT)
    document["fields"][index].update(changes)
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (_broken(4, comparator="fuzzy"), "row 5 (Severity): unknown comparator 'fuzzy'"),
        (_broken(0, status="kept"), "row 1 (AlertTime): status 'kept'"),
        (_broken(12, graph_paths=["evidence[fileEvidence..sha1"]), "row 13 (Sha1): bad step"),
        (
            _broken(15, aliases=["Url"], payload_key="Url"),
            "row 17 (URL): name or alias 'url' is already used by IPA",
        ),
        (_broken(15, payload_key="IPADDR"), "row 16 (IPAddress): payload_key must be one of"),
        (_broken(33, params={"part": "tld"}), "row 34 (MachineDomain): contained_in takes only"),
        (
            _broken(8, graph_paths=["title"]),
            "row 9 (IocName): a unsupported field has no Graph path",
        ),
        (_broken(2, graph_paths=[]), "row 3 (AlertTitle): a mapped field needs Graph paths"),
        (_broken(4, vocabulary=None), "row 5 (Severity): comparator 'enum' needs a vocabulary"),
        (_broken(0, params={"tolerance_seconds": -1}), "row 1 (AlertTime): tolerance_seconds"),
        (_broken(1, colour="red"), "row 2 (ComputerDnsName): unknown keys ['colour']"),
        (_broken(1, microsoft_note=""), "row 2 (ComputerDnsName): 'microsoft_note'"),
        ({"version": "1"}, "expected a document with a 'fields' list"),
    ],
)
def test_a_bad_row_raises_an_error_naming_it(document, message):
    with pytest.raises(MappingError) as caught:
        parse_mapping(document, "fields.yaml")
    assert message in str(caught.value)


def test_unreadable_mapping_file(tmp_path):
    bad = tmp_path / "m.yaml"
    bad.write_text("fields: [unclosed", encoding="utf-8")
    with pytest.raises(MappingError, match=r"m\.yaml: cannot read the mapping"):
        load_mapping(bad)
