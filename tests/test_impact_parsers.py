"""Per-language reference finding, names and aliases, bad content."""

from __future__ import annotations

import pytest

from siem2graph.errors import InputError
from siem2graph.impact import analyse_content
from siem2graph.mapping import load_mapping

MAPPING = load_mapping()


def _refs(name: str, text: str) -> list[tuple[str, str, int, str]]:
    impact = analyse_content([(name, text.encode())], MAPPING)
    assert impact.problems == ()
    return [
        (r.field, r.as_written, r.line, r.usage) for rule in impact.rules for r in rule.references
    ]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "q.spl",
            'Severity="High" | rename Sha1 AS hash | sort - AlertTime | top FileName by Actor',
            [
                ("Severity", "Severity", 1, "filter"),
                ("Sha1", "Sha1", 1, "output"),
                ("AlertTime", "AlertTime", 1, "sort"),
                ("FileName", "FileName", 1, "grouping"),
                ("Actor", "Actor", 1, "grouping"),
            ],
        ),
        (  # Splunk's own `source` and `host` are not SIEM fields: names match case-sensitively
            "q.spl",
            "index=mde source=mde host=x ```Severity in a comment``` | stats count by Source",
            [("Source", "Source", 1, "grouping")],
        ),
        (
            "q.kql",
            "MDEAlerts_CL\n| extend x = FileName_s\n| summarize max(AlertTime_t) by Actor_s\n"
            "| distinct UserName_s // Md5_s",
            [
                ("FileName", "FileName_s", 2, "output"),
                ("AlertTime", "AlertTime_t", 3, "output"),
                ("Actor", "Actor_s", 3, "grouping"),
                ("UserName", "UserName_s", 4, "grouping"),
            ],
        ),
        (
            "q.kql",
            "MDEAlerts_CL | lookup (MDATPAlerts_CL | project DeviceID_g) on DeviceID_g"
            " | where RemediationIsSuccess_b",
            [
                ("DeviceID", "DeviceID_g", 1, "output"),
                ("DeviceID", "DeviceID_g", 1, "join"),
                ("RemediationIsSuccess", "RemediationIsSuccess_b", 1, "filter"),
            ],
        ),
        (
            "q.aql",
            'SELECT "Url" FROM events WHERE "IPAddress" = \'1.2.3.4\' /* "Md5" */ '
            'ORDER BY "AlertTime"',
            [
                ("URL", "Url", 1, "output"),
                ("IPAddress", "IPAddress", 1, "filter"),
                ("AlertTime", "AlertTime", 1, "sort"),
            ],
        ),
        (  # plain text: whole words only, every one 'mentioned'
            "notes.txt",
            "Check Sha1, Sha1sum and MachineName.\nNot: Sha256x.",
            [("Sha1", "Sha1", 1, "mentioned"), ("MachineName", "MachineName", 1, "mentioned")],
        ),
    ],
)
def test_usage_per_language(name: str, text: str, expected: list) -> None:
    assert _refs(name, text) == expected


def test_arcsight_names_resolve_only_in_arcsight_content() -> None:
    xml = '<Filter name="f"><Condition>fileHash = "ab" And FileHash = "cd"</Condition></Filter>'
    assert _refs("f.xml", xml) == [("Sha1", "fileHash", 1, "filter")]
    assert _refs("f.txt", "fileHash and FileHash") == [("FileHash", "FileHash", 1, "mentioned")]


def test_sigma_modifiers_make_patterns_not_values() -> None:
    rule = "title: t\ndetection:\n  sel:\n    Severity|contains: High\n    Category: Malware\n"
    (impact,) = analyse_content([("r.yml", rule.encode())], MAPPING).rules
    assert [(r.field, r.line, r.literal) for r in impact.references] == [
        ("Severity", 4, ""),
        ("Category", 5, "Malware"),
    ]


def test_spl_wildcards_and_functions_are_not_literals() -> None:
    rule = 'Category=Mal* Severity="Hi*" | where Actor=lower(x)'
    (impact,) = analyse_content([("r.spl", rule.encode())], MAPPING).rules
    assert [r.literal for r in impact.references] == ["", "", ""]


def test_savedsearches_continuation_lines_keep_file_lines() -> None:
    conf = "[a]\nsearch = Severity=High \\\n| table \\\n  AlertTitle\n\n[b]\ndispatch.ttl = 1\n"
    impact = analyse_content([("savedsearches.conf", conf.encode())], MAPPING)
    assert [(r.name, [ref.line for ref in r.references]) for r in impact.rules] == [("a", [2, 4])]


def test_unrecognised_json_and_yaml_fall_back_to_word_matching() -> None:
    files = [
        ("playbook.json", b'{"actions": {"x": "@{body()?[\'Severity\']}"}}'),
        ("d.yaml", b"a: Md5"),
    ]
    impact = analyse_content(files, MAPPING)
    assert [(r.name, r.format, r.references[0].field) for r in impact.rules] == [
        ("playbook.json", "text", "Severity"),
        ("d.yaml", "text", "Md5"),
    ]


def test_bad_files_are_problems_and_the_rest_is_analysed() -> None:
    files = [
        ("bad.spl", b"\xff\xfe\x00\xd8 broken"),
        ("bin.kql", b"\x00\x01\x02"),
        ("bad.yml", b"title: [unclosed"),
        ("bad.json", b'{"resources": [}'),
        ("ok.spl", b"Severity=High"),
    ]
    impact = analyse_content(files, MAPPING)
    assert [p.file for p in impact.problems] == ["bad.spl", "bin.kql", "bad.yml", "bad.json"]
    assert "malformed YAML" in impact.problems[2].message
    assert "malformed JSON" in impact.problems[3].message
    assert [r.name for r in impact.rules] == ["ok.spl"]


def test_nothing_readable_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no content file could be read"):
        analyse_content([("a.json", b"{"), ("b.txt", b"\xc3\x28")], MAPPING)
    with pytest.raises(InputError, match="no content files"):
        analyse_content([], MAPPING)


def test_to_dict_uses_the_documented_keys() -> None:
    impact = analyse_content([("r.kql", b"MDEAlerts_CL | where Md5_s == 'x'")], MAPPING)
    (rule,) = impact.to_dict()["rules"]
    documented = {"name", "file", "verdict", "bridge", "references", "rewrite", "rewrite_note"}
    assert documented | {"count_note", "note"} <= set(rule)
    assert (rule["verdict"], rule["bridge"], rule["rewrite"]) == (
        "broken",
        "needs_rewrite",
        "manual",
    )
    reference = rule["references"][0]
    assert {"field", "line", "usage", "verdict", "replacement", "bridge"} <= set(reference)
