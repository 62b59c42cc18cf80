"""Comparators, table-driven: one legacy value against one alert's Graph values."""

from __future__ import annotations

import pandas as pd
import pytest

from siem2graph.compare import COMPARATORS, aggregate_times
from siem2graph.mapping import load_mapping
from siem2graph.normalise import split_items
from siem2graph.times import parse_times

MAPPING = load_mapping()


def _found(field: str, legacy: str, graph: list[str]) -> bool:
    row = MAPPING.field(field)
    comparator = COMPARATORS[row.comparator]
    items = comparator.legacy_items(pd.Series([legacy], dtype="str"), row.params)
    frame = pd.DataFrame({"key": "a", "value": items.to_numpy()}, dtype="str")
    graph_frame = pd.DataFrame({"key": ["a"] * len(graph), "value": graph}, dtype="str")
    return bool(comparator.found(frame, graph_frame, row.params, row.vocabulary).all())


@pytest.mark.parametrize(
    ("field", "legacy", "graph", "expected"),
    [
        (
            "AlertTitle",
            "Suspicious   PowerShell\r\ncommand line",
            ["Suspicious PowerShell command line"],
            True,
        ),
        (
            "AlertTitle",
            "suspicious powershell command line",
            ["Suspicious PowerShell command line"],
            False,
        ),
        ("AlertTitle", " Two\v\t words ", ["Two words"], True),
        ("AlertTitle", "Two\u00a0words", ["Two words"], False),  # only ASCII white space
        ("ComputerDnsName", "PC1.Contoso.com", ["pc1.contoso.com"], True),
        ("ComputerDnsName", "pc1.contoso.com", ["pc1"], False),
        ("Sha1", "AABBCC ", ["aabbcc"], True),
        ("Severity", "High", ["high"], True),
        ("Severity", "Medium", ["high"], False),
        ("Source", "EDR", ["microsoftDefenderForEndpoint"], True),
        ("Source", "Antivirus", ["microsoftDefenderForEndpoint"], False),
        ("Source", "SomethingNew", ["somethingnew"], True),  # unknown values compare as text
        ("URL", "down.esales360.cn", ["http://down.esales360.cn/"], True),
        ("URL", "HTTPS://Down.esales360.cn/a?b=1", ["http://down.esales360.cn/a?b=1"], True),
        ("URL", "down.esales360.cn/other", ["http://down.esales360.cn/"], False),
        (
            "AlertId",
            "EFA1828B-dd4e-405c-8a3b-aa28596830dd_1",
            ["efa1828b-dd4e-405c-8a3b-aa28596830dd_1"],
            True,
        ),
        ("AlertTime", "4/27/2021, 12:19:27.721 PM", ["2021-04-27T12:19:27.7211305Z"], True),
        ("RemediationIsSuccess", "TRUE", ["none", "prevented"], True),
        ("RemediationIsSuccess", "false", ["remediated"], False),
        (
            "LogOnUsers",
            "contoso\\liz; CONTOSO\\jay",
            ["CONTOSO\\liz", "contoso\\jay", "x\\y"],
            True,
        ),
        ("LogOnUsers", "contoso\\liz, contoso\\bob", ["contoso\\liz"], False),
        # no domain on Windows 10 1607 (api-portal-mapping.md): the user name alone is the account
        ("LogOnUsers", "liz; contoso\\bob", ["CONTOSO\\liz", "contoso\\bob"], True),
        ("LogOnUsers", "fabrikam\\liz", ["CONTOSO\\liz"], False),
        ("MachineName", "pc1", ["PC1.contoso.com"], True),
        ("MachineDomain", "contoso.com", ["pc1.contoso.com"], True),
        ("MachineDomain", "contoso.com", ["pc1"], False),
        (
            "LinkToWDATP",
            "https://securitycenter.windows.com/alert/da1_2",
            ["https://security.microsoft.com/alerts/da1_2?tid=t"],
            True,
        ),
        (
            "LinkToWDATP",
            "https://securitycenter.windows.com/alert/da1_2",
            ["https://security.microsoft.com/alerts/da9_9?tid=t"],
            False,
        ),
        (  # the field table's link names the id without 'da'; Graph's link with it
            "LinkToWDATP",
            "https://securitycenter.windows.com/alert/636210704265059241_673569822",
            ["https://security.microsoft.com/alerts/da636210704265059241_673569822?tid=t"],
            True,
        ),
        ("ThreatCategory", "Trojan", ["T1059"], True),
        ("IPAddress", "2001:DB8:0:0:0:0:0:1", ["2001:db8::1"], True),
        ("IPAddress", "::ffff:10.0.0.1", ["10.0.0.1"], True),
        ("IPAddress", "10.0.0.1", ["10.0.0.2"], False),
        ("IPAddress", " 10.0.0.1", ["::ffff:10.0.0.1"], True),
        ("IPAddress", "10.0.0.1", ["010.0.0.1"], False),  # a leading zero is no address
        ("AlertTime", "2026-10-01T10:00:00.1234567Z", ["2026-10-01T10:10:00Z"], True),
        ("AlertTime", "2026-10-01 10:00:00", ["2026-10-01T10:20:00Z"], False),
        ("AlertTime", "not a time", ["2026-10-01T10:00:00Z"], False),
        ("DeviceCreatedMachineTags", "Test Machine", ["test machine", "VIP"], True),
    ],
)
def test_comparators(field, legacy, graph, expected):
    assert _found(field, legacy, graph) is expected


def test_found_is_per_alert():
    comparator = COMPARATORS["casefold"]
    items = pd.DataFrame({"key": ["a", "b"], "value": ["x", "x"]}, dtype="str")
    graph = pd.DataFrame({"key": ["b"], "value": ["X"]}, dtype="str")
    assert comparator.found(items, graph, {}, {}).tolist() == [False, True]


def test_split_items_trims_and_drops_empty():
    items = split_items(pd.Series(["10.0.0.1; 10.0.0.2,", None, ""], dtype="str"), ";,")
    assert items.tolist() == ["10.0.0.1", "10.0.0.2"]
    assert items.index.tolist() == [0, 0]


@pytest.mark.parametrize(
    "text",
    [
        "2020-09-30T14:09:20Z",
        "2020-09-30T14:09:20.3Z",
        "2020-09-30T14:09:20.35743Z",
        "2020-09-30T14:09:20.1861171Z",
        "2020-09-30T14:09:20.1861171",
        "2020-09-30 14:09:20",
        "2020-09-30T14:09:20+00:00",
    ],
)
def test_parse_times_reads_every_siem_form(text):
    parsed = parse_times(pd.Series([text], dtype="str"))[0]
    assert parsed.floor("s") == pd.Timestamp("2020-09-30T14:09:20Z")


def test_aggregate_times_keeps_earliest_per_alert():
    items = pd.DataFrame(
        {"key": ["a", "a", "b"], "value": ["2020-01-02T00:00:00Z", "2020-01-01T00:00:00Z", "x"]},
        dtype="str",
    )
    kept = aggregate_times(items, "min").set_index("key")["value"]
    assert kept.to_dict() == {"a": "2020-01-01T00:00:00Z", "b": "x"}


def test_aggregate_times_keeps_every_unreadable_time_to_count_it():
    items = pd.DataFrame(
        {"key": ["a", "a", "a"], "value": ["soon", "2020-01-02T00:00:00Z", "2020-01-01T00:00:00Z"]},
        dtype="str",
    )
    kept = aggregate_times(items, "max")["value"].tolist()
    assert kept == ["2020-01-02T00:00:00Z", "soon"]


@pytest.mark.parametrize("field", ["ComputerDnsName", "LinkToWDATP", "AlertTitle", "Severity"])
def test_categorical_values_with_unused_categories_are_found_as_their_texts(field):
    row = MAPPING.field(field)
    comparator = COMPARATORS[row.comparator]
    legacy = ["PC1.contoso.com", "https://x/alert/da1_2", "Two  words", "High", "zz"]
    graph = ["pc1.contoso.com", "https://y/alerts/da1_2/details", "Two words", "high", "yy"]
    keys = ["a", "b", "c", "d", "e"]

    def frame(values: list[str], unused: list[str]) -> pd.DataFrame:
        categories = pd.Index(sorted({*values, *unused}), dtype="str")
        return pd.DataFrame({"key": keys, "value": pd.Categorical(values, categories)})

    as_text = comparator.found(
        pd.DataFrame({"key": keys, "value": legacy}, dtype="str"),
        pd.DataFrame({"key": keys, "value": graph}, dtype="str"),
        row.params,
        row.vocabulary,
    )
    as_codes = comparator.found(
        frame(legacy, ["unused", "HIGH"]), frame(graph, ["zz", "other"]), row.params, row.vocabulary
    )
    assert as_codes.tolist() == as_text.tolist()
    assert as_text.any() and not as_text.all()


def test_parse_times_keeps_the_values_index():
    values = pd.Series(["2020-09-30T14:09:20Z", "2020-10-01T00:00:00Z"], index=[7, 3], dtype="str")
    parsed = parse_times(values)
    assert parsed.index.tolist() == [7, 3]
    assert parsed.tolist() == [
        pd.Timestamp("2020-09-30T14:09:20Z"),
        pd.Timestamp("2020-10-01T00:00:00Z"),
    ]


@pytest.mark.parametrize(
    ("comparator", "values", "readable", "graph_readable"),
    [
        ("datetime", ["2021-04-27T12:19:27Z", "4/27/2021, 12:19:27 PM", "soon", ""],
         [True, True, False, False], [True, True, False, False]),
        ("hash", ["5F1E8ACEDC065031AAD553B710838EB366CFEE9A", "xxxxxxxx",
                  "3da065e07b990034e9db7842167f70b63aa5329", "db979c04a99b96d370988325bb5a8b21"],
         [True, False, False, True], [True, False, False, True]),
        ("enum", ["High", "informational", "Hgh", "microsoftDefenderForEndpoint",
                  "unknownFutureValue"],
         [True, True, False, True, False], [True, True, True, True, False]),
        ("casefold", ["anything", "", "\x00"], [True, True, True], [True, True, True]),
        ("url", ["down.esales360.cn", "not a url"], [True, True], [True, True]),
        ("ip", ["218.90.204.141", "[fe80::1%12]", "XXX.XXX.XXX.XXX", "", "010.1.1.1", "256.1.1.1",
                " 10.1.1.1", "10.1.1.1\n"],
         [True, True, False, False, False, False, True, True],
         [True, True, False, False, False, False, True, True]),
    ],
)  # fmt: skip
def test_each_comparator_says_which_values_it_can_read(
    comparator, values, readable, graph_readable
):
    """The behaviour lives on the comparator: the audit counts what it cannot read apart."""
    vocabulary = {
        "High": ("high",),
        "Informational": ("informational",),
        "EDR": ("microsoftDefenderForEndpoint",),
    }
    series = pd.Series(values, dtype="str")
    judge = COMPARATORS[comparator]
    assert judge.readable(series, {}, vocabulary).tolist() == readable
    assert judge.readable(series.astype("category"), {}, vocabulary).tolist() == readable
    assert judge.readable(series, {}, vocabulary, graph=True).tolist() == graph_readable


def test_what_a_comparator_declares_drives_the_rules_not_its_name(monkeypatch):
    """A new comparator that declares a changed meaning and a vocabulary gets presence's
    readiness rule and enum's mapping check without any code naming it."""
    from dataclasses import replace

    import numpy as np

    from siem2graph.errors import MappingError
    from siem2graph.mapping import _parse_row
    from siem2graph.model import VERDICTS
    from siem2graph.readiness import readiness

    labelled = replace(COMPARATORS["exact"], name="labelled", meaning_changed=True,
                       needs_vocabulary=True)  # fmt: skip
    monkeypatch.setitem(COMPARATORS, "labelled", labelled)
    severity = load_mapping().field("Severity")
    row = replace(severity, comparator="labelled")
    all_match = np.array([5 if v == "match" else 0 for v in VERDICTS])
    assert readiness(row, 5, 5, all_match, 0.05) == "changes"
    assert readiness(replace(row, comparator="exact"), 5, 5, all_match, 0.05) == "keeps"
    raw = {"siem_field": "Severity", "status": "mapped", "group": "alert",
           "comparator": "labelled", "microsoft_mapping": "severity", "microsoft_note": "",
           "graph_paths": ["severity"]}  # fmt: skip
    with pytest.raises(MappingError, match="comparator 'labelled' needs a vocabulary"):
        _parse_row(raw, "row 1")


def test_only_datetime_aggregates_an_alerts_legacy_items():
    items = pd.DataFrame(
        {"key": ["a", "a"], "value": ["2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z"]}
    )
    earliest = COMPARATORS["datetime"].aggregate(items, {"legacy_aggregate": "min"})
    assert earliest["value"].tolist() == ["2024-01-01T00:00:00Z"]
    assert len(COMPARATORS["exact"].aggregate(items, {"legacy_aggregate": "min"})) == 2
