"""The system tools some tests drive: a missing one fails the test, naming the package to install."""

from __future__ import annotations

import shutil
import subprocess

import pytest

PACKAGES = {"pdftoppm": "poppler-utils", "pdftotext": "poppler-utils", "chromium": "chromium"}


def require_tool(command: str) -> str:
    """The tool's path; fails (never skips) when it is missing, naming the Debian package."""
    path = shutil.which(command)
    if path is None:
        pytest.fail(
            f"{command} is missing: install {PACKAGES[command]} (bash tools/system-deps.sh)",
            pytrace=False,
        )
    return path


def pdf_text(pdf: bytes, *options: str) -> str:
    """The text ``pdftotext`` reads from ``pdf`` with ``options`` (e.g. ``-layout``, ``-f 1``)."""
    require_tool("pdftotext")
    return subprocess.run(
        ["pdftotext", *options, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
