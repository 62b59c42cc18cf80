"""The bundled sample the dashboard opens on (paths are constants: change them here)."""

from __future__ import annotations

from pathlib import Path

from ui.nav import APP_DIR

SAMPLE_DIR = APP_DIR / "sample_data"
SAMPLE_LEGACY = (SAMPLE_DIR / "legacy_siem_export.csv",)
SAMPLE_GRAPH = (SAMPLE_DIR / "graph_alerts_v2.json",)

# Until the generated sample is bundled, the public payloads in shared/realdata stand in.
REALDATA_DIR = APP_DIR.parent / "shared" / "realdata"
REALDATA_LEGACY_DIR = REALDATA_DIR / "rapid7_insightconnect_microsoft_atp"
REALDATA_GRAPH = (REALDATA_DIR / "microsoft_docs" / "graph_alerts_v2_example_get.json",)


def _all_exist(paths: tuple[Path, ...]) -> bool:
    return bool(paths) and all(path.is_file() for path in paths)


def sample_files() -> tuple[tuple[Path, ...], tuple[Path, ...], str] | None:
    """(legacy files, Graph files, label) of the sample to open on, or None if none is present."""
    if _all_exist(SAMPLE_LEGACY) and _all_exist(SAMPLE_GRAPH):
        return SAMPLE_LEGACY, SAMPLE_GRAPH, "bundled sample"
    realdata_legacy = tuple(sorted(REALDATA_LEGACY_DIR.glob("*.json")))
    if _all_exist(realdata_legacy) and _all_exist(REALDATA_GRAPH):
        return realdata_legacy, REALDATA_GRAPH, "public example payloads (no sample bundled)"
    return None
