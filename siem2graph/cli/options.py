"""Options several commands share, and what they set up before a command runs."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from siem2graph.errors import InputError
from siem2graph.mapping import Mapping, load_mapping
from siem2graph.sources import Source
from siem2graph.store import STORE_ENV, AuditStore, open_store
from siem2graph.threads import THREADS_ENV, parse_threads, thread_count, usable_cpus

_LEVELS = (logging.WARNING, logging.INFO, logging.DEBUG)
logger = logging.getLogger("siem2graph.cli")


class _Format(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"siem2graph: {record.levelname.lower()}: {record.getMessage()}"


def common_options() -> argparse.ArgumentParser:
    """The options every command takes (a parent parser)."""
    common = argparse.ArgumentParser(add_help=False)
    loudness = common.add_mutually_exclusive_group()
    loudness.add_argument(
        "-v", "--verbose", action="count", default=0, help="say what is done (-vv: in detail)"
    )
    loudness.add_argument(
        "-q", "--quiet", action="store_true", help="errors only: no progress, no warnings"
    )
    common.add_argument(
        "--threads",
        type=_threads,
        metavar="N",
        help=f"threads per pool (default: ${THREADS_ENV}, else the usable CPUs: {usable_cpus()})",
    )
    return common


def _threads(text: str) -> int:
    try:
        return parse_threads(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def configure(args: argparse.Namespace) -> None:
    """Logging on stderr at the level the options ask for (the engine logs through ``logging``)
    and the thread count (through the environment, so the processes a command starts get it)."""
    if args.threads:
        os.environ[THREADS_ENV] = str(args.threads)
    thread_count()  # a bad SIEM2GRAPH_THREADS fails here, before any work
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Format())
    logger = logging.getLogger("siem2graph")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.ERROR if args.quiet else _LEVELS[min(args.verbose, 2)])


def add_mapping(parser: argparse.ArgumentParser) -> None:
    """``--mapping FILE``: a mapping other than the bundled one."""
    parser.add_argument(
        "--mapping", type=Path, metavar="FILE", help="a mapping file other than mapping/fields.yaml"
    )


def add_aliases(parser: argparse.ArgumentParser) -> None:
    """``--aliases FILE ...``: alias files naming an export's columns."""
    parser.add_argument(
        "--aliases",
        nargs="+",
        type=Path,
        default=[],
        metavar="FILE",
        help="alias files naming your export's columns (docs/legacy-inputs.md)",
    )


def mapping_of(args: argparse.Namespace) -> Mapping:
    """The mapping ``--mapping`` names, else the bundled one."""
    return load_mapping(args.mapping) if args.mapping else load_mapping()


_HIDDEN = ("_", ".")  # names Spark and Hadoop pass over in a folder: _SUCCESS, .crc files


def name_symlinks(paths: Iterable[Path]) -> None:
    """Name each symbolic link among ``paths`` with its target on stderr, so that reading
    another file than the one named never happens silently."""
    for path in paths:
        if path.is_symlink():
            logger.warning("%s is a symbolic link: reading %s", path, path.resolve())


def input_sources(paths: list[Path]) -> list[Source]:
    """Sources over the input files, symbolic links named (``name_symlinks``); a folder is the
    files in it by name, as Spark reads one (a lake's part files), but the hidden ones."""
    name_symlinks(paths)
    files = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        held = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(_HIDDEN))
        if not held:
            raise InputError(f"{path} holds no file to read")
        name_symlinks(held)
        files.extend(held)
    return [Source.from_path(path) for path in files]


def add_siem_sources(parser: argparse.ArgumentParser) -> None:
    """``--siem-source``: names holding SIEM API records, beside the shipped ones."""
    parser.add_argument(
        "--siem-source",
        nargs="+",
        default=[],
        metavar="NAME",
        help="content impact: more names (index, sourcetype, macro, table, log source type) "
        "holding SIEM API records; rules naming only other sources are not_affected",
    )


def add_store(parser: argparse.ArgumentParser) -> None:
    """``--store DIR``: where audits are saved (else $SIEM2GRAPH_STORE, else the user's data)."""
    parser.add_argument(
        "--store", type=Path, metavar="DIR", help=f"the audit store (default: ${STORE_ENV})"
    )


def store_of(args: argparse.Namespace) -> AuditStore:
    """The store ``--store`` names (its catalog on PostgreSQL when $SIEM2GRAPH_STORE_URL is set).

    The command line is single-user: it sees the audits saved without a sign-in."""
    return open_store(args.store)
