"""Which rules read SIEM API data (issue point 8), the bridge verdict, and runnable rewrites.

The non-SIEM sources are the ones DOMAIN.md section 4 lists: Sentinel's SecurityAlert
(ProviderName "MDATP", ExtendedProperties) and Splunk's own index/host fields.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from siem2graph.errors import InputError, MappingError
from siem2graph.impact import RuleImpact, analyse_content
from siem2graph.impact.datasources import load_data_sources
from siem2graph.impact.evidence import evidence_from_audit
from siem2graph.impact.kql_rewrite import Column, load_xdr_tables
from siem2graph.mapping import load_mapping

MAPPING = load_mapping()
SECURITY_ALERT = (
    'SecurityAlert\n| where ProviderName == "MDATP"\n'
    "| extend ThreatName = tostring(parse_json(ExtendedProperties).ThreatName)\n"
    "| project TimeGenerated, AlertName, ThreatName, Description"
)


def _rule(name: str, text: str, sources: tuple[str, ...] = (), audit: dict | None = None):
    evidence = evidence_from_audit(audit, MAPPING)
    (rule,) = analyse_content([(name, text.encode())], MAPPING, evidence, sources).rules
    return rule


def _refs(rule: RuleImpact) -> list[tuple[str, str]]:
    return [(ref.field, ref.usage) for ref in rule.references]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("r.kql", SECURITY_ALERT),
        (
            "r.spl",
            'index=main sourcetype=WinEventLog EventCode=4625 Source="x" | stats count by host',
        ),
        ("r.kql", "union SecurityAlert, SecurityIncident | where Description has 'x'"),
        ("r.aql", "SELECT \"Sha1\" FROM events WHERE LOGSOURCETYPENAME(devicetype) = 'Sysmon'"),
        (
            "r.yml",
            "title: t\nlogsource:\n  category: process_creation\n"
            "detection:\n  s:\n    CommandLine: x\n  condition: s\n",
        ),
        (
            "r.xml",
            '<Filter name="f"><Condition>deviceProduct = "Sysmon" And fileName = "a"</Condition>'
            "</Filter>",
        ),
        ("r.spl", "| makeresults | eval x=1"),  # names no source and no SIEM field
        ("r.spl", "| tstats count where index=main by host, Source"),
    ],
)
def test_rules_over_other_data_are_not_affected(name: str, text: str) -> None:
    rule = _rule(name, text)
    assert (rule.verdict, rule.references, rule.bridge, rule.rewrite) == (
        "not_affected",
        (),
        "",
        "",
    )


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("r.spl", "`mde_alerts(24h)` Severity=High", [("Severity", "filter")]),
        ("r.spl", 'index IN (main, "mde") Severity=High', [("Severity", "filter")]),
        ("r.spl", "sourcetype=mde:siem:alert Severity=High", [("Severity", "filter")]),
        ("r.spl", "index=mde* Severity=High", [("Severity", "filter")]),  # a wildcard
        (  # the subsearch reads another index: its AlertId is that index's
            "r.spl",
            "index=mde | join AlertId [search index=tickets | fields AlertId] | table Sha1",
            [("AlertId", "join"), ("Sha1", "output")],
        ),
        (  # a let-bound name reads what its pipeline reads
            "r.kql",
            "let t = SecurityIncident | project AlertIds;\nlet m = MDEAlerts_CL;\n"
            "t | join (m | project AlertId_s) on AlertId_s\n| where Description_s has 'x'",
            [("AlertId", "output")],
        ),
        ("r.kql", "union MDEAlerts_CL, SecurityAlert | project Sha1_s", [("Sha1", "output")]),
        (
            "r.aql",
            'SELECT "Sha1" FROM events '
            "WHERE LOGSOURCETYPENAME(devicetype) = 'Microsoft Defender for Endpoint'",
            [("Sha1", "output")],
        ),
    ],
)
def test_rules_naming_a_siem_api_source_are_judged(name: str, text: str, expected: list) -> None:
    rule = _rule(name, text)
    assert _refs(rule) == expected
    assert rule.note == ""


def test_a_rule_naming_no_source_is_judged_when_it_names_siem_fields() -> None:
    rule = _rule("r.spl", "Severity=High | table AlertTitle")
    assert rule.verdict == "needs_renames"
    assert "Names no data source" in rule.note


def test_user_names_add_sources() -> None:
    assert _rule("r.kql", SECURITY_ALERT, ("securityalert",)).verdict != "not_affected"
    assert _rule("r.spl", "index=soc Severity=High", ("SOC",)).verdict == "needs_renames"
    with pytest.raises(InputError, match="SIEM source name"):
        _rule("r.spl", "index=soc", (" ",))


def test_a_malformed_data_sources_file_is_a_mapping_error(tmp_path: Path) -> None:
    bad = tmp_path / "data_sources.yaml"
    for text in ("siem_api: [a]", "siem_api:\n  splunk: [1, '']", "{"):
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(MappingError, match=r"data_sources\.yaml"):
            load_data_sources(bad)
    assert load_data_sources().is_siem("MDEALERTS_CL")


@pytest.mark.parametrize(
    ("text", "bridge", "restored"),
    [
        # the feed writes Severity in SIEM case through the enum's inverse: "High" comes back
        ('index=mde Severity="High" | table AlertTitle', "works_on_bridge", [True, True]),
        # Malware became several Graph categories: the feed writes Graph's, the filter misses
        ('index=mde Category="Malware"', "needs_rewrite", [False]),
        # derived: the feed writes the host part of deviceDnsName
        ("index=mde | table MachineName", "works_on_bridge", [True]),
        # the meaning changed (presence compared): the feed cannot give the SIEM value back
        ("index=mde | table ThreatCategory", "needs_rewrite", [False]),
        ("index=mde | table Md5", "needs_rewrite", [False]),  # no Graph equivalent
    ],
)
def test_bridge_verdict(text: str, bridge: str, restored: list[bool]) -> None:
    audit = {
        "value_pairs": [
            {"siem_field": "Category", "legacy_value": "Malware", "graph_value": "Execution | x",
             "verdict": "mismatch"},
        ]
    }  # fmt: skip
    rule = _rule("r.spl", text, audit=audit)
    assert rule.bridge == bridge
    assert [ref.bridge == "restored" for ref in rule.references] == restored


def test_verdicts_ask_the_comparator_not_its_name() -> None:
    source = (Path(__file__).parents[1] / "siem2graph" / "impact" / "verdict.py").read_text()
    assert '"presence"' not in source


def test_a_derived_field_changes_and_a_changed_meaning_loses() -> None:
    machine = _rule("r.spl", "index=mde | stats count by MachineName")
    assert (machine.verdict, machine.references[0].replacement) == (
        "changes",
        "evidence[deviceEvidence].deviceDnsName",
    )
    threat = _rule("r.spl", "index=mde | table ThreatCategory, AlertTitle")
    assert (threat.verdict, threat.references[0].verdict) == ("loses_inputs", "semantics_changed")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("index=mde ComputerDnsName=h1 | table AlertTitle", "ComputerDnsName in the base search"),
        ("index=mde | append [search index=mde Sha1=x] | table AlertTitle", "in a subsearch"),
        ("index=mde | table LogOnUsers", "LogOnUsers: Graph builds it from several properties"),
        ("index=mde | join AlertId [search index=mde | table AlertTitle]", "AlertId is a join key"),
        ('index=mde | where MachineName="h1"', "MachineName (now evidence[deviceEvidence]"),
    ],
)
def test_spl_rewrites_that_cannot_run_say_why(text: str, reason: str) -> None:
    rule = _rule("r.spl", text)
    assert (rule.rewrite, rule.rewritten_query) == ("manual", "")
    assert reason in rule.rewrite_note


def test_spl_rewrite_reads_evidence_by_type_after_the_base_search() -> None:
    rule = _rule("r.spl", "index=mde Severity=High | lookup assets MachineName OUTPUT owner")
    assert rule.rewrite == "runnable"
    assert rule.rewritten_query == (
        "index=mde severity=high\n"
        "| spath path=evidence{} output=_evidence\n"
        '| eval _deviceEvidence=mvfilter(like(_evidence, "%\\"#microsoft.graph.security.'
        'deviceEvidence\\"%"))\n'
        '| eval deviceDnsName=mvmap(_deviceEvidence, spath(_deviceEvidence, "deviceDnsName"))\n'
        "| lookup assets MachineName AS deviceDnsName OUTPUT owner"
    )
    alone = _rule("r.spl", "index=mde Severity=High").rewritten_query
    assert alone == "index=mde severity=high"


@pytest.mark.parametrize(
    ("name", "text", "counts"),
    [
        ("r.spl", "index=mde | stats count by Severity", True),
        ("r.spl", "index=mde | stats dc(AlertId) by Severity", False),
        ("r.kql", "MDEAlerts_CL | summarize count() by Severity_s", True),
        ("r.kql", "MDEAlerts_CL | summarize dcount(AlertId_s) by Severity_s", False),
        ("r.spl", "index=main | stats count by host", False),  # not SIEM data
    ],
)
def test_count_note(name: str, text: str, counts: bool) -> None:
    assert bool(_rule(name, text).count_note) == counts


def test_a_lost_input_rewrite_names_what_no_rename_restores() -> None:
    audit = {
        "value_pairs": [
            {"siem_field": "Category", "legacy_value": "Malware", "graph_value": "Execution | x",
             "verdict": "mismatch"},
        ]
    }  # fmt: skip
    rule = _rule(
        "r.spl", "index=mde Category=Malware | table Md5, ThreatCategory, AlertTitle", (), audit
    )
    assert (rule.verdict, rule.rewrite, rule.rewritten_query) == ("broken", "manual", "")
    assert rule.rewrite_note == (
        "No rename restores: Category = 'Malware' (no 1:1 Graph value), Md5 (unsupported), "
        "ThreatCategory (its meaning changed)."
    )


def test_kql_rewrite_reads_the_defender_xdr_tables() -> None:
    rule = _rule(
        "r.kql",
        'let m = MDEAlerts_CL;\nm\n| where Severity_s == "High"\n| project AlertTitle_s, Url_s',
    )
    assert rule.rewrite == "runnable"
    assert rule.rewritten_query == (
        "let m = AlertInfo\n| join kind=leftouter (AlertEvidence\n"
        '    | summarize RemoteUrl = take_anyif(RemoteUrl, EntityType == "Url") by AlertId) '
        'on AlertId;\nm\n| where Severity == "High"\n| project Title, RemoteUrl'
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('MDEAlerts_CL | where Category_s == "Execution"', "Category_s is compared with"),
        ("MDEAlerts_CL | project LinkToWDATP_s", "alertWebUrl has no column"),
        (
            "MDEAlerts_CL | join (MDEAlerts_CL | project AlertId_s) on AlertId_s",
            "AlertId_s is a join key",
        ),
    ],
)
def test_kql_rewrites_that_cannot_run_say_why(text: str, reason: str) -> None:
    rule = _rule("r.kql", text)
    assert (rule.rewrite, rule.rewritten_query) == ("manual", "")
    assert reason in rule.rewrite_note


def test_a_malformed_defender_xdr_file_is_a_mapping_error(tmp_path: Path) -> None:
    bad = tmp_path / "defender_xdr.yaml"
    good = "alert_table: A\nevidence_table: E\nalert_columns:\n  id: {column: AlertId}\n"
    for text in (
        "[]",
        good,  # no evidence
        good.replace("id:", "title:") + "evidence:\n  x: {entity: M, columns: {a: B}}\n",
        good + "evidence:\n  x: {entity: M, columns: []}\n",
        good.replace("alert_table: A", "alert_table: ''")
        + "evidence:\n  x: {entity: M, columns: {a: B}}\n",
    ):
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(MappingError, match=r"defender_xdr\.yaml"):
            load_xdr_tables(bad)
    bad.write_text(good + "evidence:\n  x: {entity: M, columns: {a: B}}\n", encoding="utf-8")
    assert load_xdr_tables(bad).columns["evidence[x].a"] == Column("B", "M")
