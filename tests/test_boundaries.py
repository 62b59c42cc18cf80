"""Architecture rules: the engine never imports Streamlit, and importing it has no side effects."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_engine_never_imports_streamlit():
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "siem2graph").rglob("*.py"))
        if "streamlit" in _imported_modules(path)
    ]
    assert offenders == []


def test_importing_the_engine_loads_no_streamlit():
    code = (
        "import sys, siem2graph.audit, siem2graph.cli, siem2graph.report; "
        "print('streamlit' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "False"


def test_the_boundary_check_can_fail(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("from streamlit import session_state\n", encoding="utf-8")
    assert "streamlit" in _imported_modules(sample)
