"""The Spark session the audit runs on, and the engine's code shipped to its workers."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Mapping as MappingABC
from pathlib import Path
from typing import TYPE_CHECKING

from siem2graph.errors import InputError
from siem2graph.mapping import MAPPING_DATA, MAPPING_DIR

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PIP_INSTALL = "pip install 'siem2graph[spark]'"
INSTALL = f"{PIP_INSTALL} (and a Java 17 runtime, e.g. openjdk-17-jre-headless)"
LOCAL_DRIVER_MEMORY_GIB = 4  # at least: a local master's tasks share the driver's JVM
_PACKAGE = Path(__file__).resolve().parents[1]
_shipped: set[str] = set()


def local_driver_memory() -> str:
    """The heap of a local master's driver, which runs every task: half the machine's memory,
    at least LOCAL_DRIVER_MEMORY_GIB (a heap is reserved, used only as tasks need it)."""
    half = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2 >> 30
    return f"{max(LOCAL_DRIVER_MEMORY_GIB, half)}g"


def spark_session(master: str, settings: MappingABC[str, str] | None = None) -> SparkSession:
    """A session on ``master`` (``local[N]``, ``spark://host:7077``, ``yarn``, ``k8s://...``)
    with ``settings`` (Spark's own keys, e.g. ``spark.executor.memory``); a missing pyspark or
    Java is an input error naming what to install."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError(f"--spark needs pyspark: {INSTALL}") from None
    builder = SparkSession.builder.master(master).appName("siem2graph audit")
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    if master.startswith("local"):
        # the workers run this Python, which has the engine's dependencies
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.config("spark.driver.memory", local_driver_memory())
    for key, value in (settings or {}).items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except Exception as exc:  # pyspark raises plain runtime errors when Java cannot start
        raise InputError(f"Spark could not start on {master!r}: {exc}; {INSTALL}") from None


def shipped(spark: SparkSession) -> None:
    """The siem2graph package added to the session's Python path, once per application (the
    workers import the engine from it)."""
    context = spark.sparkContext
    application = str(context.applicationId)
    if application in _shipped:
        return
    folder = Path(tempfile.mkdtemp(prefix="siem2graph-spark-"))
    # served to executors for the application's life (new executors fetch it): gone at exit
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    archive = folder / "siem2graph.zip"
    files = {Path("siem2graph") / p.relative_to(_PACKAGE): p for p in _PACKAGE.rglob("*")}
    # the mapping folder's data files, read by the executors' readers (a wheel has them already)
    data = Path("siem2graph") / MAPPING_DATA
    files |= {data / p.relative_to(MAPPING_DIR): p for p in MAPPING_DIR.rglob("*")}
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, path in sorted(files.items()):
            if path.is_file() and "__pycache__" not in path.parts:
                bundle.write(path, name)
    context.addPyFile(str(archive))
    _shipped.add(application)
    _importable_on_executors(spark)


def _importable_on_executors(spark: SparkSession) -> None:
    """Stop before any file is read, with what to install, when the executors' Python lacks a
    module the engine imports (Spark would fail every task with a worker's traceback)."""

    def missing(_: object) -> str:  # nested: shipped by value, importing nothing to unpickle
        try:
            import siem2graph.spark.parts  # noqa: F401  # what every task imports
        except ImportError as exc:
            return exc.name or str(exc)
        return ""

    names = [name for name in spark.sparkContext.parallelize([0], 1).map(missing).collect() if name]
    if names:
        raise InputError(
            f"Spark's executors cannot import {names[0]}: run {PIP_INSTALL} on every node, or "
            "set PYSPARK_PYTHON (spark.pyspark.python) to a Python that has siem2graph's "
            "dependencies"
        )
