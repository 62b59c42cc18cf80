"""Make attacker-controlled alert text safe: spreadsheets (OWASP CSV injection) and documents."""

from __future__ import annotations

import re

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
# Spreadsheets skip leading white space and read fullwidth signs as their ASCII forms.
FORMULA_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
NEUTRALISED_NOTE = (
    "Cells whose text began with = + - @ (or their fullwidth forms, also after white space), "
    "tab, carriage return or newline were prefixed with ' so that spreadsheets show them as "
    "text (alert fields are attacker-controlled). report.json keeps raw values."
)
ELLIPSIS = "…"
# Control characters, bidirectional overrides/isolates and zero-width marks that can hide or
# reorder text on screen; documents show them as visible \uXXXX escapes instead.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def is_missing(value: object) -> bool:
    """None, NaN, NaT and pandas NA."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))  # type: ignore[call-overload]


def is_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula."""
    return text.startswith(FORMULA_PREFIXES) or text.lstrip()[:1] in FORMULA_SIGNS


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula; other values pass unchanged."""
    if isinstance(value, str) and is_formula(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and header neutralised (numbers stay numbers)."""
    out = {}
    for name, column in frame.items():
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            out[str(neutralise(str(name)))] = column.map(neutralise)
        else:
            out[str(neutralise(str(name)))] = column
    return pd.DataFrame(out, index=frame.index)


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def display_text(value: object, limit: int | None = None) -> str:
    """Document text for one value: missing -> '', hidden characters made visible, cut."""
    if is_missing(value):
        return ""
    text = _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", str(value))
    return truncate(text, limit) if limit else text
