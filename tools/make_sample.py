"""Write the bundled sample: ``python -m tools.make_sample sample_data``.

For other sizes (benchmarks) call ``tools.sample.generate`` or pass ``--alerts``/``--graph-format``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tools.sample import DEFAULT_SEED, generate
from tools.sample.readme import render_readme

SAMPLE_ALERTS = 1400
LEGACY_FILE = "legacy_siem_export.csv"
GRAPH_STEM = "graph_alerts_v2"


def make_sample(
    out_dir: Path,
    n_alerts: int = SAMPLE_ALERTS,
    seed: int = DEFAULT_SEED,
    graph_format: str = "json",
) -> dict:
    """Write the legacy CSV, the Graph file, expected.json and README.md into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    expected = generate(
        out_dir / LEGACY_FILE,
        out_dir / f"{GRAPH_STEM}.{graph_format}",
        n_alerts,
        seed=seed,
        graph_format=graph_format,
    )
    text = json.dumps(expected, indent=1, ensure_ascii=False) + "\n"
    (out_dir / "expected.json").write_text(text, encoding="utf-8")
    command = "python -m tools.make_sample sample_data"
    if (n_alerts, seed, graph_format) != (SAMPLE_ALERTS, DEFAULT_SEED, "json"):
        command += f" --alerts {n_alerts} --seed {seed} --graph-format {graph_format}"
    (out_dir / "README.md").write_text(render_readme(expected, command), encoding="utf-8")
    return expected


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--alerts", type=int, default=SAMPLE_ALERTS, help="legacy alerts to write")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--graph-format", choices=("json", "ndjson"), default="json")
    args = parser.parse_args(argv)
    expected = make_sample(args.out_dir, args.alerts, args.seed, args.graph_format)
    print(
        f"{args.out_dir}: {expected['legacy_rows']} detections in {expected['legacy_alerts']} "
        f"legacy alerts, {expected['graph_alerts']} Graph alerts, "
        f"{expected['matched_alerts']} matched"
    )


if __name__ == "__main__":
    main()
