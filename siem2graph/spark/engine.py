"""The audit on Spark: files read by Spark's tasks, alerts cut by partition, every partition
audited by the local engine's code, the partial reports combined on the driver.

Jobs, in order: (1) every Graph file read in a task of its own (``parts.graph_rows``); the keys
that Graph alerts tie together are collected; (2) every legacy export read likewise and cut by
partition (``parts.legacy_rows``); the day/month witnesses of the time columns are combined
over all files; (3) the rows grouped by partition and audited (``parts.audit_partition``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import pandas as pd

from siem2graph.audit import AuditOptions
from siem2graph.errors import InputError
from siem2graph.legacy.aliases import alias_sets_for
from siem2graph.mapping import Mapping, load_mapping
from siem2graph.model import VERDICTS, AuditReport
from siem2graph.pairs import PAIR_COLUMNS
from siem2graph.pulls import pull_scopes
from siem2graph.sources import Source
from siem2graph.spark.combine import combine
from siem2graph.spark.parts import (
    FOUND,
    GRAPH,
    LEGACY,
    PAIR_ROW,
    REPORTS,
    ROW_COLUMNS,
    ROWS,
    Found,
    audit_partition,
    graph_rows,
    legacy_rows,
    route_graph,
    unlisted_row,
    unpickled,
)
from siem2graph.spark.routing import Ties
from siem2graph.spark.session import shipped, spark_session
from siem2graph.times import SlashedOrder

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

Paths = Sequence[Path | str]
# input bytes per partition by default: a 4 GiB local driver failed on 1.6 GiB partitions
PARTITION_BYTES = 128 << 20
FILE_BYTES_MAX = 2**31 - 1  # binaryFile holds a file as one value, a Java byte array
# how a job failed by an executor's heap reads (seen on a standalone worker: the task's error,
# or the executor's exit code when the task died with it)
_OUT_OF_MEMORY = ("java.lang.OutOfMemoryError", "Command exited with code 52")


# a scheme of two letters or more: C:/ is a drive; dbfs:/ and file:/ need no authority
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:/")


def is_uri(path: Path | str) -> bool:
    """Whether ``path`` names a file by URI (hdfs://, s3a://, abfss://, dbfs:/, file:/...): text
    only, as a ``Path`` folds a URI's '//'."""
    return isinstance(path, str) and _URI.match(path) is not None


def _location(path: Path | str) -> str:
    """A path Spark reads: URIs as given, paths on this machine absolute; a relative path that
    is not here as given, for Spark to resolve on its default file system (a Fabric notebook's
    ``Files/...`` in its lakehouse, HDFS on YARN)."""
    if is_uri(path) or (not Path(path).is_absolute() and not Path(path).exists()):
        return str(path)
    return str(Path(path).resolve())


@dataclass(frozen=True)
class _Listing:
    """The files the given paths hold (a folder: every file in it, by path), in the order
    given: Spark's path of each, the given path it came from (a file given twice is read
    twice, as the local engine reads it), its name, and the bytes of all."""

    paths: tuple[str, ...]
    given: tuple[int, ...]
    names: tuple[str, ...]
    size: int

    def numbers(self) -> dict[tuple[int, str], int]:
        """Each file's number by (given path's position, Spark's path)."""
        return {key: n for n, key in enumerate(zip(self.given, self.paths, strict=True))}


def _listing(spark: SparkSession, given: Paths) -> _Listing:
    """What ``given`` holds; a path that names no file is an input error."""
    from pyspark.errors import AnalysisException

    paths: list[str] = []
    positions: list[int] = []
    size = 0
    for position, item in enumerate(given):
        try:  # only the files' paths and lengths are read, not their content
            rows = spark.read.format("binaryFile").load(_location(item))
            found = rows.select("path", "length").collect()
        except AnalysisException as exc:
            raise InputError(f"Spark cannot read {item}: {exc.getMessage()}") from None
        if not found:
            raise InputError(f"{item} holds no file to read")
        for row in sorted(found, key=lambda r: str(r["path"])):
            if int(row["length"]) > FILE_BYTES_MAX:
                raise InputError(_too_large(str(row["path"]), int(row["length"])))
            paths.append(str(row["path"]))
            positions.append(position)
            size += int(row["length"])
    names = tuple(path.rsplit("/", 1)[-1] for path in paths)
    return _Listing(tuple(paths), tuple(positions), names, size)


def _too_large(path: str, length: int) -> str:
    return (
        f"{path} holds {length:,} bytes: Spark reads a file whole, at most {FILE_BYTES_MAX:,} "
        "bytes; cut it into smaller files (NDJSON at line ends, e.g. split -C 1G; a CSV export "
        "with its header in each part)"
    )


def _files(spark: SparkSession, given: Paths, listing: _Listing) -> DataFrame:
    """(given, path, content): one row per file of ``listing``, a task each."""
    from pyspark.sql import functions as F

    frames = [
        spark.read.format("binaryFile")
        .load(_location(p))
        .select(F.lit(n).alias("given"), "path", "content")
        for n, p in enumerate(given)
    ]
    files = frames[0]
    for frame in frames[1:]:
        files = files.unionByName(frame)
    return files.repartition(len(listing.paths))


def _default_partitions(spark: SparkSession, size: int) -> int:
    """Enough partitions that each holds about PARTITION_BYTES of the ``size`` bytes of input,
    and at least one per core: a partition's rows are held whole by one task
    (``applyInPandas``)."""
    by_size = -(-size // PARTITION_BYTES)
    return max(spark.sparkContext.defaultParallelism, by_size)


def _each_file(
    read: Callable[[bytes, int], pd.DataFrame], listing: _Listing, side: str
) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """Each file's rows; a file the listing does not hold is numbered after the listed ones."""
    numbers = listing.numbers()
    unlisted = len(listing.paths)

    def rows(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            for given, path, content in zip(
                batch["given"], batch["path"], batch["content"], strict=True
            ):
                number = numbers.get((int(given), path))
                if number is None:
                    yield unlisted_row(side, unlisted, path)
                else:
                    yield read(bytes(content), number)

    return rows


def _found(rows: DataFrame, count: int) -> list[Found]:
    """Each of the ``count`` files' Found row, in file order; an input error (of a file that
    was not listed last) stops the audit here."""
    rows = rows.filter(rows.route == FOUND)
    found = {int(r["file"]): unpickled(r["payload"], Found) for r in rows.collect()}
    for number in sorted(found):
        if found[number].error:
            raise InputError(found[number].error)
    return [found[n] for n in range(count)]


def _orders(found: Sequence[Found]) -> dict[str, SlashedOrder]:
    orders: dict[str, SlashedOrder] = {}
    for item in found:
        for column, order in item.orders.items():
            orders[column] = orders.get(column, SlashedOrder()) | order
    return orders


def _top_pairs(rows: DataFrame, top: int | None) -> pd.DataFrame:
    """The partitions' value pairs (``PAIR_ROW`` rows) summed by Spark, each with the example
    alerts of the first partition that has it; per field and found/not, the ``top`` first in
    ``rank_pairs``' order (texts compared as bytes in both), so that the driver holds only
    what the report keeps."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    keys = ["siem_field", *PAIR_COLUMNS]
    summed = (
        rows.groupBy(*keys)
        .agg(
            F.sum("alerts").alias("alerts"),
            F.min(F.struct("route", "example_alerts")).alias("_first"),
        )
        .select(*keys, "alerts", F.col("_first.example_alerts").alias("example_alerts"))
    )
    if top is not None:
        verdict = F.array_position(F.array(*(F.lit(v) for v in VERDICTS)), F.col("verdict"))
        order = Window.partitionBy("siem_field", "found").orderBy(
            F.desc("alerts"), "legacy_value", "graph_value", verdict
        )
        summed = summed.withColumn("_n", F.row_number().over(order)).filter(F.col("_n") <= top)
    kept = [row.asDict() for row in summed.select(*PAIR_ROW).collect()]
    # typed even when empty (no matched alert): the report's tables filter on found
    return pd.DataFrame.from_records(kept, columns=PAIR_ROW).astype(
        {"found": bool, "alerts": "int64"}
    )


def audit_spark(
    legacy: Paths,
    graph: Paths,
    spark: SparkSession | None = None,
    master: str = "local[*]",
    mapping: Mapping | None = None,
    options: AuditOptions | None = None,
    aliases: Sequence[Path | str] = (),
    partitions: int | None = None,
) -> AuditReport:
    """Audit on Spark (``spark``, else a session on ``master``): the same report as
    ``audit_files`` on the same inputs. ``partitions``: by default one per PARTITION_BYTES of
    input, at least Spark's default parallelism. Executors out of memory are an input error
    saying how to give them more."""
    from py4j.protocol import Py4JJavaError

    try:
        return _audit(legacy, graph, spark, master, mapping, options, aliases, partitions)
    except Py4JJavaError as exc:
        if not any(sign in str(exc) for sign in _OUT_OF_MEMORY):
            raise
        raise InputError(
            "Spark's executors ran out of memory (a task holds an input file whole): give them "
            "more, e.g. --spark-conf spark.executor.memory=4g, or cut the files smaller"
        ) from None


def _audit(
    legacy: Paths,
    graph: Paths,
    spark: SparkSession | None,
    master: str,
    mapping: Mapping | None,
    options: AuditOptions | None,
    aliases: Sequence[Path | str],
    partitions: int | None,
) -> AuditReport:
    if not legacy or not graph:
        raise InputError("the audit needs at least one legacy export and one Graph file")
    started = time.perf_counter()
    mapping = mapping or load_mapping()
    options = options or AuditOptions()
    alias_sets = alias_sets_for(aliases, mapping)
    spark = spark or spark_session(master)  # without pyspark: the install command
    # read twice, then once more by the audit: on disk, execution keeps the whole heap (held in
    # memory, 1M detections ran a 4 GiB local driver out of execution memory)
    from pyspark import StorageLevel

    shipped(spark)
    legacy_files, graph_files = _listing(spark, legacy), _listing(spark, graph)
    count = partitions or _default_partitions(spark, legacy_files.size + graph_files.size)
    legacy_names, graph_names = legacy_files.names, graph_files.names

    graph_all = (
        _files(spark, graph, graph_files)
        .mapInPandas(
            _each_file(lambda c, f: graph_rows(graph_names[f], c, f), graph_files, GRAPH), ROWS
        )
        .persist(StorageLevel.DISK_ONLY)
    )
    graph_found = _found(graph_all, len(graph_names))
    alerts = graph_all.filter(graph_all.route != FOUND)
    tied = alerts.filter((alerts.tie != "") & (alerts.key != "") & (alerts.tie != alerts.key))
    ties = Ties((r["key"], r["tie"]) for r in tied.select("key", "tie").distinct().collect())
    read_graph_s = time.perf_counter() - started

    legacy_all = (
        _files(spark, legacy, legacy_files)
        .mapInPandas(
            _each_file(
                lambda c, f: legacy_rows(legacy_names[f], c, f, mapping, alias_sets, ties, count),
                legacy_files,
                LEGACY,
            ),
            ROWS,
        )
        .persist(StorageLevel.DISK_ONLY)
    )
    legacy_found = _found(legacy_all, len(legacy_names))
    orders = _orders(legacy_found)
    read_legacy_s = time.perf_counter() - started - read_graph_s

    routed = alerts.mapInPandas(lambda b: (route_graph(x, ties, count) for x in b), ROWS)
    rows = legacy_all.filter(legacy_all.route != FOUND).unionByName(routed)
    audited = (
        rows.repartition(count, "route")  # the groups' partitions (not Spark's 200 shuffle ones)
        .groupBy("route")
        .applyInPandas(
            lambda part: audit_partition(part, mapping, orders, graph_names, options), REPORTS
        )
        .persist(StorageLevel.DISK_ONLY)
    )
    # every partition audited once, all at a time: toLocalIterator alone runs them one by one,
    # and orderBy's sampling ran them all before its sort ran them again
    audited.count()
    # one partition's report at a time, each unpickled as it comes: collect() held every
    # pickled report in the JVM and in Python at once, beside the reports themselves
    routed_reports = [
        (r["route"], unpickled(r["payload"], AuditReport))
        for r in audited.filter(audited.payload.isNotNull()).toLocalIterator()
    ]
    reports = [report for _, report in sorted(routed_reports, key=lambda pair: pair[0])]
    pairs = _top_pairs(audited.filter(audited.payload.isNull()), options.top_pairs)
    audited.unpersist()
    if not reports:  # no alert on either side: one empty partition says so
        empty = pd.DataFrame(columns=ROW_COLUMNS)
        payloads = audit_partition(empty, mapping, orders, graph_names, options)["payload"]
        reports = [unpickled(p, AuditReport) for p in payloads.dropna()]
    graph_all.unpersist()
    legacy_all.unpersist()
    engine: dict[str, Any] = {"name": "spark", "master": spark.sparkContext.master}
    report = combine(
        reports, legacy_found, graph_found, options, engine | {"partitions": count}, pairs
    )
    local = [Source.from_path(urlparse(p).path) for p in graph_files.paths if p.startswith("file:")]
    phases = {
        "read_graph": read_graph_s,
        "read_legacy": read_legacy_s,
        "audit_partitions": time.perf_counter() - started - read_graph_s - read_legacy_s,
    }
    return replace(
        report,
        pulls=pull_scopes(local, report.inputs) if len(local) == len(graph_names) else (),
        phase_seconds=phases,
        run_seconds=time.perf_counter() - started,
    )
