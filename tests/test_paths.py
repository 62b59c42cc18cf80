"""The Graph path grammar."""

from __future__ import annotations

import pytest

from siem2graph.paths import GraphPath, parse_path, walk
from tests.helpers import graph_example


def extract(node: dict, path: GraphPath) -> list[str]:
    return walk(node, path.steps, path.template)


@pytest.mark.parametrize(
    ("path", "values"),
    [
        ("title", ["Suspicious execution of hidden file"]),
        ("evidence[deviceEvidence].deviceDnsName", ["tempDns"]),
        ("evidence[fileEvidence].fileDetails.fileName", ["MsSense.exe"]),
        ("evidence[processEvidence].parentProcessImageFile.sha1", []),
        ("evidence[].remediationStatus", ["none", "none", "none", "none"]),
        ("evidence[deviceEvidence].tags[]", ["Test Machine"]),
        ("mitreTechniques[]", ["T1564.001"]),
        ("evidence[deviceEvidence].osBuild", ["22424"]),
        ("assignedTo", []),
        ("evidence[ipEvidence].ipAddress", []),
    ],
)
def test_extract(path, values):
    assert extract(graph_example(), parse_path(path)) == values


def test_template_renders_objects():
    alert = graph_example()
    alert["evidence"][0]["loggedOnUsers"] = [
        {"accountName": "liz", "domainName": "CONTOSO"},
        {"accountName": None, "domainName": None},
    ]
    path = parse_path("evidence[deviceEvidence].loggedOnUsers[].{domainName}\\{accountName}")
    assert extract(alert, path) == ["CONTOSO\\liz"]
    assert path.template_keys == ("domainName", "accountName")


def test_template_renders_one_object():
    """FilePath's full form: the folder and the file name of one fileDetails object."""
    path = parse_path("evidence[fileEvidence].fileDetails.{filePath}\\{fileName}")
    assert extract(graph_example(), path) == ["C:\\Program Files\\temp\\MsSense.exe"]


def test_list_items_reach_their_keys():
    """UserName in deviceEvidence: each logged-on user's accountName."""
    alert = graph_example()
    alert["evidence"][0]["loggedOnUsers"] = [{"accountName": "liz"}, {"domainName": "CONTOSO"}]
    path = parse_path("evidence[deviceEvidence].loggedOnUsers[].accountName")
    assert extract(alert, path) == ["liz"]


@pytest.mark.parametrize("bad", ["", " title", "evidence[file", "a..b", "x.{}", "t[x.{a}"])
def test_bad_paths_are_rejected(bad):
    with pytest.raises(ValueError):
        parse_path(bad)
