"""The command line: ``siem2graph COMMAND ...`` (a contract scripts rely on).

Every command is one row of ``COMMANDS`` (``cli/commands.py``) and one handler module with
``add_arguments(parser)`` and ``run(args)``. Handlers only raise; ``run_handler`` is the one place
that turns what they raise into one ``siem2graph: error: ...`` line and an exit code
(see ``siem2graph.errors``).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from siem2graph.cli.commands import COMMANDS
from siem2graph.cli.options import common_options, configure
from siem2graph.errors import EXIT_INPUT, EXIT_OK, EXIT_UNEXPECTED, Siem2GraphError

PREFIX = "siem2graph: error: "
DESCRIPTION = "The migration audit from the MDE SIEM API to Microsoft Graph security alerts_v2."
log = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    """argparse with the product's one error prefix."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"{PREFIX}{message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command of ``COMMANDS``."""
    parser = _Parser(prog="siem2graph", description=DESCRIPTION)
    subparsers = parser.add_subparsers(dest="command", required=True)
    common = common_options()
    for command in COMMANDS:
        module = importlib.import_module(command.module)
        sub = subparsers.add_parser(
            command.name,
            help=command.help,
            description=command.help,
            parents=[common],  # type: ignore[list-item]  # a parent's class does not matter
        )
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run)
    return parser


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _write_log(exc: BaseException) -> Path:
    """The traceback of an unexpected error, in a new file of the temporary folder."""
    with tempfile.NamedTemporaryFile(
        "w", prefix="siem2graph-error-", suffix=".log", delete=False, encoding="utf-8"
    ) as stream:
        stream.write("".join(traceback.format_exception(exc)))
    return Path(stream.name)


def run_handler(handler: Callable[[], object], stderr: TextIO | None = None) -> int:
    """Run ``handler``; what it raises becomes one line on stderr and the error's exit code."""
    stream = stderr or sys.stderr
    try:
        handler()
    except Siem2GraphError as exc:
        stream.write(f"{PREFIX}{_one_line(str(exc))}\n")
        return exc.exit_code
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        stream.write(f"{PREFIX}{_one_line(exc.strerror or str(exc))}{where}\n")
        return EXIT_INPUT
    except Exception as exc:  # a bug: say so in one line and keep the traceback
        path = _write_log(exc)
        log.debug("unexpected error", exc_info=exc)
        message = _one_line(str(exc))
        stream.write(f"{PREFIX}unexpected {type(exc).__name__}: {message} (details: {path})\n")
        return EXIT_UNEXPECTED
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit code (0 ok, 2 input, 3 partial pull, 4 unexpected)."""
    args = build_parser().parse_args(argv)

    def command() -> None:
        configure(args)
        args.handler(args)

    return run_handler(command)
