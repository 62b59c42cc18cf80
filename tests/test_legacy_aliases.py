"""Alias files: validation names the bad entry; user files apply without code changes."""

from __future__ import annotations

import re

import pytest
import yaml

from siem2graph.errors import InputError, MappingError
from siem2graph.legacy import AliasSet, load_alias_set, read_legacy, read_legacy_file
from siem2graph.legacy.aliases import builtin_alias_sets, parse_alias_set, resolver_for
from siem2graph.mapping import load_mapping
from siem2graph.sources import Source

MAPPING = load_mapping()
SOC_CSV = b"Ticket,Detection Id,Sev\nT1,da1,High\nT2,da2,Low\n"


def _alias_file(tmp_path, document, name="soc.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_builtin_alias_sets_load():
    assert [s.name for s in builtin_alias_sets(MAPPING)] == [
        "arcsight",
        "qradar",
        "sentinel",
        "splunk",
    ]


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ({"name": "x", "columns": {"Sev": "Severty"}}, "columns entry 'Sev': 'Severty' is not a SIEM field of the mapping (did you mean 'Severity'?)"),
        ({"name": "x", "columns": {"Sev": "Severity"}, "colour": 1}, "unknown keys ['colour']"),
        ({"columns": {"Sev": "Severity"}}, "'name' must be a non-empty text"),
        ({"name": "x", "columns": ["Sev"]}, "'columns' must map column names to SIEM fields"),
        ({"name": "x"}, "needs 'columns' or strip_prefixes/suffixes"),
        ({"name": "x", "columns": {"Sev": "Severity"}, "detect": {"when": 1}}, "'detect' may only hold"),
        ({"name": "x", "columns": {"Sev": "Severity"}, "detect": {"any_columns": "Ticket"}}, "detect.any_columns: must be a list"),
        ({"name": "x", "columns": {"Sev": "Severity", "S E V": "Category"}}, "the same name already maps to"),
        ([1, 2], "expected a mapping"),
        ({"name": "x", "columns": {"Sev": "Severity"}, "metadata_columns": "host"}, "metadata_columns: must be a list of non-empty names"),
        ({"name": "x", "columns": {"Sev": "Severity"}, "metadata_columns": ["*"]}, "'*' alone would hide every column"),
        ({"name": "x", "columns": {"Sev": "Severity"}, "metadata_columns": ["sev"]}, "metadata_columns: 'sev' is also a 'columns' entry"),
    ],
)  # fmt: skip
def test_bad_alias_file_names_the_entry(tmp_path, document, fragment):
    path = _alias_file(tmp_path, document)
    with pytest.raises(MappingError) as raised:
        load_alias_set(path, MAPPING)
    assert "soc.yaml" in str(raised.value)
    assert fragment in str(raised.value)


def test_unreadable_alias_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(MappingError, match=re.escape("broken.yaml: cannot read the alias file")):
        load_alias_set(path, MAPPING)


def test_user_alias_file_reads_a_custom_export(tmp_path):
    path = _alias_file(
        tmp_path, {"name": "soc", "columns": {"Detection Id": "AlertId", "Sev": "Severity"}}
    )
    source = Source.from_bytes("soc.csv", SOC_CSV)
    with pytest.raises(InputError, match="no AlertId column"):
        read_legacy([source], MAPPING)
    data = read_legacy([source], MAPPING, aliases=[path])
    assert list(data.detections["AlertId"]) == ["da1", "da2"]
    assert list(data.detections["Severity"]) == ["High", "Low"]
    assert data.files[0].alias_sets == "soc"
    assert data.unmapped_columns == ("Ticket",)


def test_user_alias_set_with_detect_applies_only_where_detected():
    soc = parse_alias_set(
        {
            "name": "soc",
            "detect": {"all_columns": ["Ticket"]},
            "columns": {"Detection Id": "AlertId"},
        },
        "soc.yaml",
        MAPPING,
    )
    assert isinstance(soc, AliasSet)
    assert (
        resolver_for(["Ticket", "Detection Id"], MAPPING, [soc]).resolve("Detection Id")
        == "AlertId"
    )
    assert resolver_for(["Detection Id"], MAPPING, [soc]).resolve("Detection Id") is None


def test_user_set_wins_over_builtin_and_base():
    mine = parse_alias_set({"name": "mine", "columns": {"fileHash": "FileHash"}}, "m.yaml", MAPPING)
    columns = ["deviceVendor", "externalId", "fileHash"]
    sets = (mine, *builtin_alias_sets(MAPPING))
    assert resolver_for(columns, MAPPING, sets).resolve("fileHash") == "FileHash"
    assert resolver_for(columns, MAPPING, builtin_alias_sets(MAPPING)).resolve("fileHash") == "Sha1"


def test_arcsight_names_only_apply_to_arcsight_files():
    """ArcSight's externalId is the AlertId; in a plain SIEM export ExternalId is its own field."""
    plain = b"AlertId,ExternalId,FileHash\nda1,31DD0A84,aabb\n"
    data = read_legacy([Source.from_bytes("plain.csv", plain)], MAPPING)
    row = data.detections.iloc[0]
    assert (row["AlertId"], row["ExternalId"], row["FileHash"]) == ("da1", "31DD0A84", "aabb")
    assert data.files[0].alias_sets == ""


def test_no_alertid_message_lists_columns_and_spellings():
    source = Source.from_bytes("x.csv", b"TimeGenerated,Sev\n2020,High\n")
    with pytest.raises(InputError) as raised:
        read_legacy([source], MAPPING)
    message = str(raised.value)
    assert "Columns found: 'TimeGenerated', 'Sev'" in message
    assert "alias sets applied: sentinel" in message
    assert "--aliases" in message


def test_read_legacy_file_keeps_its_shape():
    frame, summary, problems, unmapped = read_legacy_file(
        Source.from_bytes("a.csv", SOC_CSV.replace(b"Detection Id", b"AlertId")), MAPPING
    )
    assert (summary.rows_read, summary.rows_kept, len(frame), problems) == (2, 2, 2, [])
    assert unmapped == ["Ticket", "Sev"]


def test_read_legacy_file_refuses_a_zip():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.csv", "AlertId\nda1\n")
    with pytest.raises(InputError, match="use read_legacy"):
        read_legacy_file(Source.from_bytes("a.zip", buffer.getvalue()), MAPPING)
