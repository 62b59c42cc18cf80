"""tools/system-deps.sh: quiet when everything is installed, the exact command when not root."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.system import require_tool

SCRIPT = Path(__file__).resolve().parents[1] / "tools" / "system-deps.sh"


def _fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


def _run(tmp_path: Path, installed: str, uid: int) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake(
        bin_dir,
        "dpkg-query",
        f'for a; do p=$a; done; case "$p" in {installed}) printf "install ok installed";; esac',
    )
    _fake(bin_dir, "id", f"echo {uid}")
    _fake(bin_dir, "apt-get", 'echo "apt-get $*" >> "$APT_LOG"')
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    env["APT_LOG"] = str(tmp_path / "apt.log")
    return subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, env=env)


def test_nothing_happens_when_every_package_is_installed(tmp_path):
    done = _run(tmp_path, "*", uid=1000)
    assert (done.returncode, done.stderr) == (0, "")
    assert not (tmp_path / "apt.log").exists()


def test_without_root_it_stops_with_the_exact_command(tmp_path):
    done = _run(tmp_path, "chromium|postgresql|openjdk-17-jre-headless|tesseract-ocr", uid=1000)
    assert done.returncode == 1
    assert (
        "run: sudo apt-get update && sudo apt-get install -y --no-install-recommends "
        "poppler-utils fonts-dejavu-core\n"
    ) in done.stderr
    assert not (tmp_path / "apt.log").exists()


def test_as_root_it_installs_only_what_is_missing(tmp_path):
    done = _run(tmp_path, "chromium|poppler-utils|fonts-dejavu-core|postgresql", uid=0)
    assert done.returncode == 0, done.stderr
    log = (tmp_path / "apt.log").read_text(encoding="utf-8").splitlines()
    assert log[-1].endswith(
        "install -y -q --no-install-recommends tesseract-ocr openjdk-17-jre-headless"
    )


def test_the_tools_the_tests_drive_are_here():
    for command in ("pdftoppm", "pdftotext", "chromium"):
        require_tool(command)
