"""One CLI: the command table, one error prefix, exit codes carried by the errors, logging levels
and progress on a terminal only."""

from __future__ import annotations

import io
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson
import pytest

import siem2graph.audit
import siem2graph.cli.impact
import siem2graph.graph.alerts
import siem2graph.legacy.compact
from siem2graph.cli import build_parser, main, run_handler
from siem2graph.cli.commands import COMMANDS
from siem2graph.cli.progress import StderrProgress
from siem2graph.errors import AuthError, GraphError, InputError, PartialPull
from siem2graph.graph.client import PullProgress
from siem2graph.threads import THREADS_ENV, thread_count
from tests.helpers import graph_example, legacy_for_example

CONTENT = Path(__file__).parent / "content_corpus" / "qradar"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def inputs(tmp_path):
    legacy = tmp_path / "legacy.json"
    legacy.write_bytes(orjson.dumps([legacy_for_example()]))
    graph = tmp_path / "graph.json"
    graph.write_bytes(orjson.dumps({"value": [graph_example()]}))
    return ["--legacy", str(legacy), "--graph", str(graph), "--out", str(tmp_path / "out")]


def test_every_command_of_the_table_is_wired_with_the_common_options():
    parser = build_parser()
    for command in COMMANDS:
        action = next(a for a in parser._subparsers._group_actions if command.name in a.choices)
        sub = action.choices[command.name]
        options = {o for a in sub._actions for o in a.option_strings}
        assert {"--verbose", "--quiet"} <= options, command.name
    audit, impact = (action.choices[name] for name in ("audit", "impact"))
    assert "--mapping" in {o for a in impact._actions for o in a.option_strings}
    assert {"--mapping", "--aliases"} <= {o for a in audit._actions for o in a.option_strings}


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InputError("bad file"), 2),
        (AuthError("no token"), 2),
        (GraphError("unreachable"), 3),
        (PartialPull("partial pull: 503"), 3),
        (FileNotFoundError(2, "No such file or directory", "x.csv"), 2),
    ],
)
def test_errors_carry_their_exit_code_and_one_prefixed_line(error, code):
    def handler():
        raise error

    err = io.StringIO()
    assert run_handler(handler, err) == code
    assert err.getvalue().startswith("siem2graph: error: ") and err.getvalue().count("\n") == 1


def test_an_unexpected_error_is_exit_4_with_a_log_file(monkeypatch, capsys, tmp_path):
    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(siem2graph.cli.impact, "analyse_content", broken)
    assert main(["impact", "--content", str(CONTENT), "--out", str(tmp_path)]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    match = re.fullmatch(
        r"siem2graph: error: unexpected ZeroDivisionError: division by zero \(details: (.+)\)\n",
        err,
    )
    assert match, err
    logged = Path(match.group(1)).read_text(encoding="utf-8")
    assert "Traceback" in logged and "in broken" in logged
    Path(match.group(1)).unlink()


def test_usage_errors_use_the_same_prefix(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["audit", "--legacy", "x.csv"])
    assert caught.value.code == 2
    assert "siem2graph: error: the following arguments are required" in capsys.readouterr().err


def test_impact_takes_another_mapping(tmp_path, capsys):
    bad = tmp_path / "fields.yaml"
    bad.write_text("version: ''\nfields: []\n", encoding="utf-8")
    argv = ["impact", "--content", str(CONTENT), "--out", str(tmp_path / "out")]
    assert main([*argv, "--mapping", str(bad)]) == 2
    assert "'version' must be a non-empty text" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_verbose_logs_what_the_engine_does_and_quiet_says_nothing(inputs, capsys):
    assert main(["audit", "-v", *inputs]) == 0
    err = capsys.readouterr().err
    assert "siem2graph: info: legacy.json: 1 rows kept, 0 rejected" in err
    assert "siem2graph: info: wrote " in err
    assert main(["audit", "--quiet", *inputs]) == 0
    assert capsys.readouterr().err == ""


def test_progress_shows_phase_rows_and_elapsed_on_a_terminal_only():
    now = [100.0]
    terminal = Terminal()
    progress = StderrProgress("audit", stream=terminal, clock=lambda: now[0], interval=1.0)
    progress.step("reading legacy.csv", 0.1)
    now[0] += 0.5
    progress.step("skipped: too soon", 0.2)
    now[0] += 2.0
    progress.pull(PullProgress(pages=3, alerts=1500, requests=4, waits=0, fraction=0.5))
    progress.finish()
    lines = terminal.getvalue().split("\r\x1b[K")[1:]
    assert lines == [
        "audit:  10% reading legacy.csv (0 s)",
        "audit:  50% 1,500 alerts, 3 pages (2 s)\n",
    ]
    for stream, quiet in ((io.StringIO(), False), (Terminal(), True)):
        silent = StderrProgress("audit", quiet, stream)
        silent.step("reading", 0.5)
        silent.finish()
        assert stream.getvalue() == ""


def test_the_thread_count_defaults_to_the_usable_cpus(monkeypatch):
    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert thread_count() == len(os.sched_getaffinity(0))
    monkeypatch.setenv(THREADS_ENV, "5")
    assert thread_count() == 5


def test_threads_sizes_every_pool_of_the_audit(inputs, monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "1")
    sizes: list[int] = []

    class Recording(ThreadPoolExecutor):
        def __init__(self, max_workers: int) -> None:
            sizes.append(max_workers)
            super().__init__(max_workers)

    for module in (siem2graph.audit, siem2graph.legacy.compact, siem2graph.graph.alerts):
        monkeypatch.setattr(module, "ThreadPoolExecutor", Recording)
    assert main(["audit", "--threads", "3", *inputs]) == 0
    assert len(sizes) >= 3 and set(sizes) == {3}


def test_a_bad_thread_count_is_an_input_error(inputs, monkeypatch, capsys):
    with pytest.raises(SystemExit):
        main(["audit", "--threads", "0", *inputs])
    assert "a thread count is a whole number from 1 on, not '0'" in capsys.readouterr().err
    monkeypatch.setenv(THREADS_ENV, "many")
    assert main(["audit", *inputs]) == 2
    assert capsys.readouterr().err == (
        "siem2graph: error: a thread count is a whole number from 1 on, not 'many'\n"
    )
