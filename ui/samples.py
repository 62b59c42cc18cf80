"""The bundled sample the dashboard opens on (paths are constants: change them here)."""

from __future__ import annotations

from pathlib import Path

from ui.nav import APP_DIR

SAMPLE_DIR = APP_DIR / "sample_data"
SAMPLE_LEGACY = (SAMPLE_DIR / "legacy_siem_export.csv",)
SAMPLE_GRAPH = (SAMPLE_DIR / "graph_alerts_v2.json",)
SAMPLE_LABEL = "bundled sample"
SAMPLE_CONTENT = SAMPLE_DIR / "content"  # detection rules over the sample's alerts


def sample_files() -> tuple[tuple[Path, ...], tuple[Path, ...], str] | None:
    """(legacy files, Graph files, label) of the sample to open on, or None if it is missing."""
    if all(path.is_file() for path in (*SAMPLE_LEGACY, *SAMPLE_GRAPH)):
        return SAMPLE_LEGACY, SAMPLE_GRAPH, SAMPLE_LABEL
    return None


def sample_content() -> tuple[tuple[str, bytes], ...]:
    """(file name, bytes) of the sample's detection rules; none when they are not bundled."""
    if not SAMPLE_CONTENT.is_dir():
        return ()
    return tuple((p.name, p.read_bytes()) for p in sorted(SAMPLE_CONTENT.iterdir()) if p.is_file())
