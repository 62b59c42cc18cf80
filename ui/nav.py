"""The dashboard's pages: one place for their files and titles."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    """A page file (relative to app.py), its title and icon."""

    path: str
    title: str
    icon: str


SOURCES = PageSpec("pages/sources.py", "Sources", ":material/upload_file:")
OVERVIEW = PageSpec("pages/overview.py", "Overview", ":material/dashboard:")
COVERAGE = PageSpec("pages/coverage.py", "Coverage", ":material/stacked_bar_chart:")
UNSUPPORTED = PageSpec("pages/unsupported.py", "Unsupported fields", ":material/block:")
MISMATCHES = PageSpec("pages/mismatches.py", "Mismatches", ":material/compare_arrows:")
EXPLORER = PageSpec("pages/explorer.py", "Alert explorer", ":material/search:")
SCHEMA_DIFF = PageSpec("pages/schema_diff.py", "Schema diff", ":material/schema:")
CONTENT_IMPACT = PageSpec("pages/content_impact.py", "Content impact", ":material/rule:")
BRIDGE = PageSpec("pages/bridge.py", "Bridge fidelity", ":material/swap_horiz:")
EXPORT = PageSpec("pages/export.py", "Export", ":material/download:")
HISTORY = PageSpec("pages/history.py", "History", ":material/history:")

# Navigation order.
PAGES = (
    SOURCES,
    OVERVIEW,
    COVERAGE,
    UNSUPPORTED,
    MISMATCHES,
    EXPLORER,
    SCHEMA_DIFF,
    CONTENT_IMPACT,
    BRIDGE,
    EXPORT,
    HISTORY,
)
