"""The wheel: `pip install` gives a `siem2graph` command that audits from any folder and serves
the dashboard, with the mapping shipped inside it (built offline from a copy of the repository)."""

from __future__ import annotations

import json
import shutil
import site
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from siem2graph.dashboard import config_flags
from siem2graph.mapping import load_mapping
from tests.browser import chromium_tab, free_port, settle, wait_healthy

ROOT = Path(__file__).resolve().parents[1]
BUILT_FROM = (
    "pyproject.toml", "setup.py", "README.md", "LICENSE", "app.py", ".streamlit", "siem2graph", "mapping"
)  # fmt: skip
BUILT_FROM_TOO = ("pages", "ui", "sample_data")
SAMPLE = ROOT / "sample_data"


def test_the_dashboard_settings_apply_from_any_folder():
    flags = config_flags(ROOT)
    assert "--client.showErrorDetails=none" in flags
    assert "--server.address=localhost" in flags and "--server.enableXsrfProtection=true" in flags


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin folder of a fresh venv where the wheel is installed (dependencies: this venv's)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in (*BUILT_FROM, *BUILT_FROM_TOO):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, source / name, **({"ignore": ignore} if (ROOT / name).is_dir() else {}))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(work), str(source)],
        check=True,
    )
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    packages = next((venv / "lib").glob("python*/site-packages"))
    (packages / "shared.pth").write_text(site.getsitepackages()[0] + "\n")
    wheel = next(work.glob("siem2graph-*.whl"))
    subprocess.run([*pip, "--python", str(venv / "bin" / "python"), "install", "--no-deps",
                    "--no-index", str(wheel)], check=True)  # fmt: skip
    return venv / "bin"


def test_every_engine_package_is_in_the_wheel(installed):
    packages = next((installed.parent / "lib").glob("python*/site-packages"))
    missing = [
        init.parent.relative_to(ROOT)
        for init in (ROOT / "siem2graph").rglob("__init__.py")
        if not (packages / init.relative_to(ROOT)).is_file()
    ]
    assert not missing, f"not installed: {missing}"
    assert (packages / "siem2graph" / "py.typed").is_file()
    licence = next(packages.glob("siem2graph-*.dist-info")).rglob("LICENSE")
    assert "MIT License" in next(licence).read_text()


def test_the_sample_and_its_rules_are_in_the_wheel(installed):
    packages = next((installed.parent / "lib").glob("python*/site-packages"))
    bundled = packages / "siem2graph_dashboard" / "sample_data"
    wanted = [
        "legacy_siem_export.csv",
        "graph_alerts_v2.json",
        *(f"content/{p.name}" for p in (SAMPLE / "content").iterdir()),
    ]
    assert len(wanted) > 2
    assert [name for name in wanted if not (bundled / name).is_file()] == []


def test_installed_command_audits_from_another_folder(installed, tmp_path):
    done = subprocess.run(
        [str(installed / "siem2graph"), "audit", "--legacy", str(SAMPLE / "legacy_siem_export.csv"),
         "--graph", str(SAMPLE / "graph_alerts_v2.json"), "--out", "out", "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert len(report["fields"]) == len(load_mapping().fields) == 50
    where = subprocess.run(
        [str(installed / "python"), "-c", "from siem2graph.mapping import MAPPING_DIR; print(MAPPING_DIR)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    mapping_dir = Path(where.stdout.strip())
    assert mapping_dir.name == "mapping_data" and installed.parent in mapping_dir.parents


@pytest.mark.browser
def test_installed_dashboard_serves_the_sample_with_its_settings(installed, tmp_path):
    port = free_port()
    with (tmp_path / "dashboard.log").open("wb") as log:
        server = subprocess.Popen(
            [str(installed / "siem2graph"), "dashboard", "--port", str(port)],
            cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            url = f"http://localhost:{port}"
            wait_healthy(url, server)
            with chromium_tab(url) as page:
                settle(page)
                page.get_by_text("Each file may be up to 500 MB").wait_for()
                page.get_by_role("button", name="Load the bundled sample").wait_for()
        finally:
            server.terminate()
            code = server.wait()
    assert code == 0
    with pytest.raises(OSError):  # the Streamlit process went with the command
        socket.create_connection(("localhost", port), timeout=5).close()
    assert "Traceback" not in (tmp_path / "dashboard.log").read_text()
