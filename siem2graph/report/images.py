"""Chart images (PNG, SVG) through kaleido and a local Chromium; never downloads a browser."""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from siem2graph import charts, views
from siem2graph.model import AuditReport

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
WIDTH, HEIGHT = 1100, 500  # about as wide as the PDF's landscape page, for the same height
SCALE = 2  # pixels per CSS pixel: field names stay legible where a page shrinks a tall chart
ROWS_PER_CHART = 17  # fields per coverage chart: a landscape page shows each name at ~8 pt


def _parts(frame: pd.DataFrame, most: int) -> list[pd.DataFrame]:
    """``frame`` cut into the fewest runs of at most ``most`` rows, of near-equal length."""
    count = max(math.ceil(len(frame) / most), 1)
    size = math.ceil(len(frame) / count)
    return [frame.iloc[start : start + size] for start in range(0, max(len(frame), 1), size)]


def report_figures(report: AuditReport) -> list[tuple[str, go.Figure]]:
    """(caption, figure) for the report's charts, built by the dashboard's builders; the
    coverage chart in parts, so that every field name stays legible on paper."""
    coverage = views.coverage_in_view(report)[0]
    caption = "What became of each SIEM field's value on the matched alerts (most lost first)"
    parts = _parts(coverage, ROWS_PER_CHART)
    named = [
        (
            caption
            if len(parts) == 1
            else f"{caption}: fields {first:,} to {first + len(part) - 1:,} of {len(coverage):,}",
            charts.coverage_bars(part, coverage["siem_field"].tolist()),
        )
        for first, part in zip(
            itertools.accumulate((len(p) for p in parts[:-1]), initial=1), parts, strict=True
        )
    ]
    return [
        *named,
        (
            "Fields whose values differ: share of the alerts compared",
            charts.mismatch_rates(views.mismatch_summary(report)),
        ),
        ("Alerts per day: on both sides and on one side only", charts.timeline(report.timeline)),
    ]


@dataclass(frozen=True)
class ChartImages:
    """PNG images of the report's charts, or why there are none."""

    images: tuple[tuple[str, bytes], ...]
    note: str


def find_browser() -> str | None:
    """The Chromium kaleido would drive: $BROWSER_PATH, else a Chromium/Chrome on PATH."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return next((p for p in map(shutil.which, BROWSER_NAMES) if p), None)


async def _render(figures: list[go.Figure], browser: str, fmt: str) -> list[bytes]:
    import kaleido

    # mathjax=False: kaleido would otherwise load MathJax from a CDN; plotly.js comes from plotly.
    async with kaleido.Kaleido(path=browser, mathjax=False, n=1) as k:
        return [
            await k.calc_fig(
                f,
                opts={
                    "format": fmt,
                    "width": WIDTH,
                    "height": f.layout.height or HEIGHT,
                    "scale": SCALE,
                },
            )
            for f in figures
        ]


def chart_images(report: AuditReport, enabled: bool | None = None, fmt: str = "png") -> ChartImages:
    """Render every chart as ``fmt`` (png or svg); ``enabled`` None: 'when a Chromium is found'."""
    if enabled is False:
        return ChartImages((), "Charts were not rendered (images turned off for this run).")
    browser = find_browser()
    if browser is None:
        return ChartImages(
            (), "Charts omitted: no Chromium found to render them (set BROWSER_PATH)."
        )
    named = report_figures(report)
    try:
        with ThreadPoolExecutor(1) as pool:  # a fresh event loop, even under a running one
            pngs = pool.submit(asyncio.run, _render([f for _, f in named], browser, fmt)).result()
    except Exception as exc:  # a broken browser must not cost the report
        return ChartImages((), f"Charts omitted: rendering with {browser} failed ({exc}).")
    return ChartImages(tuple((n, png) for (n, _), png in zip(named, pngs, strict=True)), "")


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, from the PNG header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
