"""Reading chart images back: which field names a rendered chart shows (Debian's tesseract)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterable

import pytest
from PIL import Image, ImageStat

from siem2graph import charts
from siem2graph.report.images import SCALE

# tesseract confuses these in DejaVu Sans; both sides are compared after folding them together.
_FOLD = str.maketrans("l1|0", "iiio")


def _folded(text: str) -> str:
    return re.sub("i+", "i", re.sub(r"[^a-z0-9]", "", text.lower().translate(_FOLD)))


def ocr(png: bytes) -> str:
    """The text tesseract reads in ``png``."""
    if shutil.which("tesseract") is None:
        pytest.fail("tesseract is missing: install tesseract-ocr (bash tools/system-deps.sh)")
    result = subprocess.run(
        ["tesseract", "stdin", "stdout", "--psm", "6"],
        input=png,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode()


def label_column(png: bytes, labels: Iterable[str]) -> bytes:
    """The strip left of the plot of a chart whose axis shows ``labels`` (kept clear of bars)."""
    image = Image.open(io.BytesIO(png))
    width = charts.label_margin(charts.plain_labels(labels)) * SCALE
    out = io.BytesIO()
    image.crop((0, 0, width, image.height)).save(out, format="PNG")
    return out.getvalue()


def unread_names(png: bytes, names: Iterable[str]) -> list[str]:
    """The ``names`` the chart's label column does not show in full."""
    names = list(names)
    seen = _folded(ocr(label_column(png, names)))
    return [name for name in names if _folded(name) not in seen]


def mean_brightness(png: bytes) -> float:
    """0 (black) to 255 (white)."""
    return ImageStat.Stat(Image.open(io.BytesIO(png)).convert("L")).mean[0]
