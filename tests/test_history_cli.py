"""``siem2graph history`` and the audit's saving: list, show, diff (table and JSON), delete,
``--no-store``, and a store that refuses the audit (the reports are still written)."""

from __future__ import annotations

import errno
import json
import subprocess
import sys
from pathlib import Path

import pytest

from siem2graph.cli import main
from siem2graph.store import frames
from tests.dashboard_inputs import graph_json, legacy_csv


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "siem2graph", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("in")
    legacy, graph = folder / "legacy \x1b[31mred.csv", folder / "graph.json"
    legacy.write_bytes(legacy_csv())
    graph.write_bytes(graph_json())
    return legacy, graph


def _audit(inputs, out: Path, *extra: str) -> subprocess.CompletedProcess:
    legacy, graph = inputs
    return _cli("audit", "--legacy", str(legacy), "--graph", str(graph), "--out", str(out), *extra)


def _saved_id(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("saved as audit "))
    return line.split()[3]


def test_audits_are_saved_listed_compared_and_deleted(inputs, tmp_path):
    store = str(tmp_path / "store")
    first = _saved_id(_audit(inputs, tmp_path / "a", "--store", store))
    second = _saved_id(_audit(inputs, tmp_path / "b", "--store", store))

    listed = _cli("history", "list", "--store", store)
    assert listed.returncode == 0 and first in listed.stdout and second in listed.stdout
    assert "\x1b" not in listed.stdout and "\\x1b[31mred.csv" in listed.stdout
    rows = json.loads(_cli("history", "list", "--store", store, "--json").stdout)
    assert [r["id"] for r in rows] == [second, first]
    assert rows[0]["detections"] == 5 and rows[0]["keeps"] + rows[0]["loses"] > 0

    shown = _cli("history", "show", first, "--store", store)
    assert "5 detections, 3 matched alerts" in shown.stdout and "sha256 " in shown.stdout
    document = json.loads(_cli("history", "show", first, "--store", store, "--json").stdout)
    assert document["inputs"][1]["bytes"] == len(graph_json())

    diff = _cli("history", "diff", first, second, "--store", store)
    assert diff.returncode == 0 and "readiness_before" in diff.stdout and "Severity" in diff.stdout
    compared = json.loads(_cli("history", "diff", first, second, "--store", store, "--json").stdout)
    assert compared["before"]["id"] == first and compared["after"]["id"] == second
    assert {f["siem_field"] for f in compared["fields"]} >= {"Severity", "FileName"}
    assert all(f["match_rate_delta"] in (0, None) for f in compared["fields"])

    assert _cli("history", "delete", first, "--store", store).returncode == 0
    rows = json.loads(_cli("history", "list", "--store", store, "--json").stdout)
    assert [r["id"] for r in rows] == [second]
    missing = _cli("history", "show", first, "--store", store)
    assert missing.returncode == 2
    assert (
        missing.stderr
        == f"siem2graph: error: no saved audit '{first}' (deleted, or another user's)\n"
    )


def test_no_store_saves_nothing(inputs, tmp_path):
    store = str(tmp_path / "store")
    result = _audit(inputs, tmp_path / "out", "--store", store, "--no-store")
    assert result.returncode == 0 and "saved as audit" not in result.stdout
    assert json.loads(_cli("history", "list", "--store", store, "--json").stdout) == []


def test_a_store_that_cannot_be_created_fails_before_the_audit(inputs, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = _audit(inputs, tmp_path / "out", "--store", str(blocker / "store"))
    assert result.returncode == 2
    assert result.stderr.startswith("siem2graph: error: cannot use the store folder ")
    assert not (tmp_path / "out").exists()


def test_a_save_that_fails_warns_and_keeps_the_reports(inputs, tmp_path, monkeypatch, capsys):
    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(frames, "_write_frame", full)
    legacy, graph = inputs
    out, store = str(tmp_path / "out"), str(tmp_path / "store")
    code = main(
        ["audit", "--legacy", str(legacy), "--graph", str(graph), "--out", out, "--store", store]
    )
    assert code == 0 and (tmp_path / "out" / "report.json").is_file()
    err = capsys.readouterr().err
    assert "siem2graph: warning: the audit was not saved in the store: cannot save" in err
    assert "No space left on device" in err


def test_an_audit_saved_from_the_cli_is_shared_and_unshared(inputs, tmp_path, capsys):
    """The CLI saves without a sign-in: signed-in users of the same store see its audits only
    once shared with them (by e-mail, or everyone signed in)."""
    from siem2graph.store import open_store

    store = str(tmp_path / "store")
    audit_id = _saved_id(_audit(inputs, tmp_path / "out", "--store", store))
    alice = open_store(store, user="alice@contoso.test")
    assert alice.list() == []
    assert main(["history", "share", audit_id, "Alice@Contoso.test", "--store", store]) == 0
    assert f"{audit_id} is shared with alice@contoso.test" in capsys.readouterr().out
    assert [a.id for a in alice.list()] == [audit_id]
    assert open_store(store, user="bob@contoso.test").list() == []
    assert main(["history", "share", audit_id, "--everyone", "--store", store]) == 0
    assert "shared with everyone signed in, alice@" in capsys.readouterr().out
    assert [a.id for a in open_store(store, user="bob@contoso.test").list()] == [audit_id]
    assert main(["history", "list", "--json", "--store", store]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["shared_with"] == "everyone signed in, alice@contoso.test"
    assert listed[0]["owner"] == "(no sign-in)"
    unshare = ["history", "unshare", audit_id, "alice@contoso.test", "--everyone"]
    assert main([*unshare, "--store", store]) == 0
    assert f"{audit_id} is not shared" in capsys.readouterr().out
    assert alice.list() == []
    assert main(["history", "share", audit_id, "--store", store]) == 2
    assert "name the users to share with" in capsys.readouterr().err
