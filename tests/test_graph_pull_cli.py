"""`pull` from the command line against the emulator: exit codes, summary, no tracebacks."""

from __future__ import annotations

import argparse
import hashlib
import io

import orjson
import pytest

from siem2graph.cli import build_parser, main, run_handler
from siem2graph.cli.pull import run_pull
from siem2graph.graph import cache
from siem2graph.pulls import scope_from_record
from tests.graph_helpers import (
    CERT_CLIENT,
    END,
    N_ALERTS,
    SECRET,
    SECRET_CLIENT,
    START,
    TENANT,
    FakeTime,
    FullDisk,
    ids,
    make_alerts,
    read_ndjson,
)

pytest_plugins = ["tests.graph_fixtures"]


def parse(argv: list[str]) -> argparse.Namespace:
    return build_parser().parse_args(["pull", *argv])


def run(server, monkeypatch, tmp_path, *extra: str, client: str = SECRET_CLIENT):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.ca_path))
    monkeypatch.setenv("TEST_GRAPH_SECRET", SECRET)
    credential = ["--client-secret-env", "TEST_GRAPH_SECRET"] if not extra else []
    args = parse(
        [
            *("--tenant-id", TENANT, "--client-id", client),
            *("--authority", server.url, "--graph-url", server.url),
            *("--since", START.isoformat(), "--until", END.isoformat()),
            *("--out", str(tmp_path / "pulled.ndjson")),
            *credential,
            *extra,
        ]
    )
    out, err, fake = io.StringIO(), io.StringIO(), FakeTime()
    code = run_handler(
        lambda: run_pull(args, stdout=out, stderr=err, clock=fake.clock, sleep=fake.sleep), err
    )
    return code, out.getvalue(), err.getvalue()


def test_complete_pull_exits_0_with_summary(emulator, monkeypatch, tmp_path):
    code, out, err = run(emulator, monkeypatch, tmp_path)
    assert code == 0, err
    assert "pull: complete" in out and "alerts: 2500" in out and "requests:" in out
    assert ids(read_ndjson(tmp_path / "pulled.ndjson")) == ids(make_alerts())
    assert SECRET not in out + err


def test_service_source_and_top(emulator, monkeypatch, tmp_path):
    code, _, err = run(
        emulator,
        monkeypatch,
        tmp_path,
        *("--client-secret-env", "TEST_GRAPH_SECRET"),
        *("--service-source", "microsoftSentinel", "--top", "100"),
    )
    assert code == 0, err
    expected = {a["id"] for a in make_alerts() if a["serviceSource"] == "microsoftSentinel"}
    assert ids(read_ndjson(tmp_path / "pulled.ndjson")) == expected


def test_partial_pull_exits_3_with_one_line_reason(emulator, monkeypatch, tmp_path):
    emulator.configure(outage_after=1)
    code, out, err = run(
        emulator, monkeypatch, tmp_path, "--client-secret-env", "TEST_GRAPH_SECRET", "--top", "500"
    )
    assert code == 3 and "pull: partial" in out and "alerts: 500" in out
    reason = [line for line in err.splitlines() if line.startswith("siem2graph: error: partial")]
    assert len(reason) == 1 and "503" in reason[0]
    assert "Traceback" not in err


def test_a_full_disk_keeps_what_was_written_marked_partial_exit_3(emulator, monkeypatch, tmp_path):
    disk = FullDisk(free=300_000)
    monkeypatch.setattr(cache, "append", disk)
    code, out, err = run(emulator, monkeypatch, tmp_path)
    assert code == 3 and "pull: partial" in out and disk.failures == 1
    (reason,) = [line for line in err.splitlines() if line.startswith("siem2graph: error:")]
    assert "could not write pulled.ndjson (No space left on device)" in reason
    assert str(tmp_path) not in reason and "Traceback" not in err
    pulled = tmp_path / "pulled.ndjson"
    kept = read_ndjson(pulled)  # every line whole: the one cut short was dropped
    assert 0 < len(kept) < N_ALERTS and f"alerts: {len(kept)}" in out
    assert ids(kept) <= ids(make_alerts())
    record = orjson.loads(cache.record_path(pulled).read_bytes())
    scope = scope_from_record(pulled.name, record, hashlib.sha256(pulled.read_bytes()).hexdigest())
    assert scope.partial and scope.alerts == len(kept)
    assert scope.reason.startswith("could not write pulled.ndjson (No space left on device)")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        pulled.name,
        cache.record_path(pulled).name,
    ]


def test_the_most_verbose_log_holds_no_secret_nor_token(emulator, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(emulator.ca_path))
    monkeypatch.setenv("TEST_GRAPH_SECRET", SECRET)
    code = main(
        [
            *("pull", "-vv", "--tenant-id", TENANT, "--client-id", SECRET_CLIENT),
            *("--authority", emulator.url, "--graph-url", emulator.url),
            *("--since", START.isoformat(), "--until", END.isoformat()),
            *("--out", str(tmp_path / "pulled.ndjson"), "--client-secret-env", "TEST_GRAPH_SECRET"),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "siem2graph: debug: GET /" in err
    assert SECRET not in out + err and "Bearer" not in err and "eyJ" not in err


def test_wrong_secret_exits_2_without_echo(emulator, monkeypatch, tmp_path):
    monkeypatch.setenv("WRONG_SECRET", "Not~the~secret~42")
    code, out, err = run(emulator, monkeypatch, tmp_path, "--client-secret-env", "WRONG_SECRET")
    assert code == 2 and "AADSTS7000215" in err and err.count("\n") == 1
    assert "Not~the~secret~42" not in out + err and "Traceback" not in err


def test_unset_secret_variable_exits_2(emulator, monkeypatch, tmp_path):
    monkeypatch.delenv("UNSET_VAR", raising=False)
    code, _, err = run(emulator, monkeypatch, tmp_path, "--client-secret-env", "UNSET_VAR")
    assert code == 2 and "UNSET_VAR" in err


def test_missing_permission_exits_2(emulator, monkeypatch, tmp_path):
    emulator.configure(roles=())
    code, _, err = run(emulator, monkeypatch, tmp_path)
    assert code == 2 and "SecurityAlert.Read.All" in err


def test_secret_file_and_certificate(emulator, monkeypatch, tmp_path, certificate):
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET + "\n")
    code, _, err = run(emulator, monkeypatch, tmp_path, "--client-secret-file", str(secret_file))
    assert code == 0, err
    pem = tmp_path / "app.pem"
    pem.write_bytes(certificate.key_pem + certificate.cert_pem)
    code, _, err = run(
        emulator, monkeypatch, tmp_path, "--certificate", str(pem), client=CERT_CLIENT
    )
    assert code == 0, err


def test_device_code_prints_instructions(emulator, monkeypatch, tmp_path):
    code, _, err = run(emulator, monkeypatch, tmp_path, "--device-code", client="device-app")
    assert code == 0 and "enter the code" in err


def test_bad_dates_and_top_are_usage_errors(emulator, monkeypatch, tmp_path):
    with pytest.raises(SystemExit) as caught:
        parse(["--tenant-id", "t", "--client-id", "c", "--device-code", "--since", "yesterday"])
    assert caught.value.code == 2
    code, _, err = run(
        emulator, monkeypatch, tmp_path, "--client-secret-env", "TEST_GRAPH_SECRET", "--top", "5000"
    )
    assert code == 2 and "$top" in err
