"""``python -m bench [DETECTIONS ...]``: floor, ours, datacompy and page reruns on the same files.

Presets: 10000 (quick, the default), 100000, 1000000 detections. Every measurement runs in its
own process (peak memory is that process's own). See docs/scale.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.data import DATA_DIR, DEFAULT_SEED, Dataset, dataset
from bench.results import RESULTS_DIR, slope, table, write
from bench.tiny import KINDS as TINY
from bench.tiny import tiny_dataset
from siem2graph.threads import THREADS_ENV

KINDS = ("floor", "ours", "baseline", "pages", "bridge", "store", "cached", "threads")
# only when --kinds names them
OPT_IN = ("server", "spark", "sparkcounts", "tiny", "tinymatched", "documents")


def _measure(kind: str, legacy: Path, graph: Path, timeout: float) -> dict[str, Any] | None:
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.measure", kind, str(legacy), str(graph)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        print(f"  {kind}: did not finish in {timeout:.0f} s", file=sys.stderr)
        return None
    except subprocess.CalledProcessError as exc:
        print(f"  {kind}: failed\n{exc.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("detections", nargs="*", type=int, default=[10_000])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (best kept)")
    parser.add_argument(
        "--kinds", default=",".join(KINDS), help="subset of " + ",".join(KINDS + OPT_IN)
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per measurement")
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--threads", type=int, help=f"threads per pool (sets {THREADS_ENV})")
    return parser.parse_args(argv)


def _data(kind: str, size: int, args: argparse.Namespace) -> Dataset:
    if kind in TINY:
        return tiny_dataset(size, TINY[kind], args.seed, args.data)
    return dataset(size, args.seed, args.data)


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    kinds = [k for k in args.kinds.split(",") if k]
    if args.threads:
        os.environ[THREADS_ENV] = str(args.threads)  # the measurements' processes inherit it
    rows = []
    for size in args.detections:
        row: dict[str, Any] = {}
        for kind in kinds:
            data = _data(kind, size, args)
            meta = data.meta
            row.setdefault("detections", meta["legacy_rows"])
            row.setdefault("graph_alerts", meta["graph_alerts"])
            row.setdefault("bytes", {"legacy": meta["legacy_bytes"], "graph": meta["graph_bytes"]})
            runs = [
                _measure(kind, data.legacy, data.graph, args.timeout) for _ in range(args.repeat)
            ]
            done = [r for r in runs if r]
            row[kind] = min(done, key=lambda r: r["seconds"]) if done else None
            print(f"{size:>9} {kind:<8} {row[kind] and round(row[kind]['seconds'], 2)} s")
        rows.append(row)
    print(table(rows))
    print(f"slope of ours (1.0 = linear): {slope(rows, 'ours')}")
    path = write(rows, "python -m bench " + " ".join(argv), args.out)
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
