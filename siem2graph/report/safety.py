"""Make attacker-controlled alert text safe for spreadsheets (OWASP CSV injection)."""

from __future__ import annotations

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISED_NOTE = (
    "Cells whose text began with = + - @ tab or carriage return were prefixed with ' so that "
    "spreadsheets show them as text (alert fields are attacker-controlled). "
    "report.json keeps raw values."
)


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised (numbers stay numbers)."""
    out = {}
    for name, column in frame.items():
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            text = column.astype("str")
            risky = text.str.startswith(FORMULA_PREFIXES).fillna(False)
            out[str(neutralise(str(name)))] = text.mask(risky, "'" + text)
        else:
            out[str(neutralise(str(name)))] = column
    return pd.DataFrame(out, index=frame.index)
