"""``siem2graph audit``: audit legacy exports against Graph alerts and write the reports."""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from pathlib import Path

from siem2graph import views
from siem2graph.cli.options import (
    add_aliases,
    add_mapping,
    add_siem_sources,
    add_store,
    input_sources,
    mapping_of,
    name_symlinks,
    store_of,
)
from siem2graph.cli.progress import StderrProgress
from siem2graph.errors import InputError
from siem2graph.model import AuditReport
from siem2graph.report import EXPORTERS, write_reports
from siem2graph.sources import RowProblem
from siem2graph.store import AuditStore, StoreError

log = logging.getLogger(__name__)
_ATTENTION_KINDS = 10


def _formats(text: str) -> list[str]:
    chosen = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in EXPORTERS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown format(s) {', '.join(unknown) or '(none)'}; choose from {','.join(EXPORTERS)}"
        )
    return chosen


def _setting(text: str) -> tuple[str, str]:
    key, equals, value = text.partition("=")
    if not equals or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value


def _partitions(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a partition count is a whole number from 1 on: {text!r}")
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``audit`` options."""
    # text, not Path: with --spark they may be URIs, whose '//' a Path folds
    uris = "; with --spark also URIs (hdfs://, s3a://, abfss://, dbfs:/)"
    parser.add_argument(
        "--legacy", nargs="+", required=True, metavar="PATH", help="SIEM API exports" + uris
    )
    parser.add_argument(
        "--graph", nargs="+", required=True, metavar="PATH", help="Graph alert files" + uris
    )
    parser.add_argument("--out", required=True, type=Path, metavar="DIR")
    parser.add_argument("--format", default="json", type=_formats, help=",".join(EXPORTERS))
    add_mapping(parser)
    add_aliases(parser)
    parser.add_argument(
        "--redact",
        action="store_true",
        help="replace user names, host names, domains and IPs with stable pseudonyms",
    )
    parser.add_argument(
        "--content",
        nargs="+",
        type=Path,
        default=[],
        metavar="PATH",
        help="detection content files or folders: adds the content impact to every format",
    )
    add_siem_sources(parser)
    add_store(parser)
    parser.add_argument(
        "--no-store", action="store_true", help="do not save the audit in the store (history)"
    )
    parser.add_argument(
        "--input-cache",
        type=Path,
        metavar="DIR",
        help="keep the parsed inputs of both sides and the report in DIR: auditing the same "
        "Graph files or legacy exports again skips their parse, and the same files with the "
        "same settings read the report back",
    )
    parser.add_argument(
        "--spark",
        metavar="MASTER",
        help="audit on Spark: local[N], spark://host:7077, yarn, k8s://... (needs pyspark)",
    )
    parser.add_argument(
        "--spark-partitions",
        type=_partitions,
        metavar="N",
        help="with --spark: partitions the alerts are cut into "
        "(default: one per 128 MB of input, at least Spark's parallelism)",
    )
    parser.add_argument(
        "--spark-conf",
        nargs="+",
        action="extend",
        default=[],
        type=_setting,
        metavar="KEY=VALUE",
        help="with --spark: Spark settings, as spark-submit's --conf takes them "
        "(e.g. spark.executor.memory=4g)",
    )
    parser.add_argument(
        "--no-alert-values",
        action="store_true",
        help="keep per alert and field only counts, not the values each alert held: the "
        "figures and exports are the same, the dashboard's drill-down to an alert's values is "
        "empty; for audits too large to hold every value (docs/scale.md)",
    )
    parser.add_argument(
        "--no-images",
        action="store_true",
        help="leave chart images out of xlsx/pdf (default: included when a Chromium is found)",
    )


def run(args: argparse.Namespace) -> None:
    """Audit, write every format asked for and print a one-line summary."""
    from siem2graph.audit import AuditOptions, audit_sources
    from siem2graph.graph.parsed_cache import ParsedCache
    from siem2graph.impact import Evidence, analyse_content, read_content_paths
    from siem2graph.report.content_tables import bridge_summary, rules_summary

    name_symlinks([*args.aliases, *filter(None, [args.mapping]), *args.content])
    # a bad content path, mapping or store fails before the audit runs
    content = read_content_paths(args.content) if args.content else None
    mapping = mapping_of(args)
    store = None if args.no_store else store_of(args)
    progress = StderrProgress("audit", args.quiet)
    if (args.spark_partitions or args.spark_conf) and not args.spark:
        raise InputError("--spark-partitions and --spark-conf need --spark MASTER")
    if args.spark and args.input_cache:
        raise InputError("--input-cache is for the local engine; Spark reads the files itself")
    inputs = _inputs(args.legacy, args.graph, spark=bool(args.spark))
    options = AuditOptions(alert_values=not args.no_alert_values)
    legacy, graph = inputs[: len(args.legacy)], inputs[len(args.legacy) :]
    # the files whose sizes the store keeps (Spark lists the files of a folder itself)
    files = [p for p in inputs if isinstance(p, Path)]
    if args.spark:
        from siem2graph.spark.engine import audit_spark
        from siem2graph.spark.session import spark_session

        name_symlinks(files)
        progress.step(f"auditing on Spark ({args.spark})", 0.0)
        spark = spark_session(args.spark, dict(args.spark_conf))
        if not args.verbose:  # Spark's warnings (a path's Java stack trace) before our error
            spark.sparkContext.setLogLevel("ERROR")
        report = audit_spark(
            legacy,
            graph,
            spark,
            mapping=mapping,
            options=options,
            aliases=args.aliases,
            partitions=args.spark_partitions,
        )
    else:
        sources = input_sources([Path(p) for p in legacy]), input_sources([Path(p) for p in graph])
        files = [s.path for side in sources for s in side if s.path is not None]
        report = audit_sources(
            *sources,
            mapping,
            options,
            progress=progress.step,
            aliases=args.aliases,
            cache=ParsedCache(args.input_cache) if args.input_cache else None,
        )
    progress.step("writing the reports", 1.0)
    evidence = Evidence.from_report(report)
    impact = (
        None
        if content is None
        else analyse_content(content, report.mapping, evidence, args.siem_source)
    )
    written = write_reports(
        report,
        args.format,
        args.out,
        redact=args.redact,
        images=False if args.no_images else None,
        content=impact,
    )
    progress.finish()
    join = report.join
    print(
        f"matched {join.matched_alerts} alerts; legacy-only {join.legacy_only_alerts}, "
        f"graph-only {join.graph_only_alerts}; {report.headline.fields_at_risk} fields at risk; "
        f"{len(report.problems)} input problems; wrote {len(written)} file(s) to {args.out}"
    )
    _attention(report)
    if impact is not None:
        print(
            f"content impact: {rules_summary(impact)}; {bridge_summary(impact)}; "
            f"{len(impact.problems)} files not read"
        )
    if store is not None:
        _save(store, report, files)


def _inputs(legacy: list[str], graph: list[str], spark: bool) -> list[Path | str]:
    """The input files in order: local paths as ``Path``, URIs as text (only Spark reads them)."""
    from siem2graph.spark.engine import is_uri  # no pyspark needed to tell a URI

    uris = [text for text in (*legacy, *graph) if is_uri(text)]
    if uris and not spark:
        raise InputError(
            f"{uris[0]} is a URI: the local engine reads local files; "
            "Spark reads URIs (--spark MASTER)"
        )
    return [text if is_uri(text) else Path(text) for text in (*legacy, *graph)]


def _attention(report: AuditReport) -> None:
    """Each kind of input problem that needs attention, on stderr: how often, and its first
    occurrence in full (report.json has every one)."""
    kinds: Counter[tuple[str, str, str]] = Counter()
    firsts: dict[tuple[str, str, str], RowProblem] = {}
    for problem in report.problems:
        kind = (problem.side, problem.file, views.problem_kind(problem.reason))
        if views.EXPECTED_PROBLEM not in kind[2]:
            kinds[kind] += 1
            firsts.setdefault(kind, problem)
    for kind, first in list(firsts.items())[:_ATTENTION_KINDS]:
        where = f" line {first.line}" if first.line is not None else ""
        print(
            f"{first.side} {first.file}{where}: {first.reason} ({kinds[kind]:,} in all)",
            file=sys.stderr,
        )
    if len(kinds) > _ATTENTION_KINDS:
        print(f"... and {len(kinds) - _ATTENTION_KINDS:,} more kinds", file=sys.stderr)


def _save(store: AuditStore, report: AuditReport, paths: list[Path]) -> None:
    """Save the audit; a store that refuses it costs a warning, not the reports just written."""
    try:
        sizes = {path.name: path.stat().st_size for path in paths if path.is_file()}
        saved = store.save(report, sizes=sizes)
    except StoreError as exc:
        log.warning("the audit was not saved in the store: %s", exc)
        return
    print(f"saved as audit {saved.id} (siem2graph history show {saved.id})")
