"""Legacy and Graph timestamps to UTC instants, in the forms real exports write them.

Forms (docs/legacy-inputs.md says where each is documented or seen):

- ISO-8601 with 0-7 fraction digits, ``Z``, a ``+hh:mm``/``+hhmm`` offset (also after a space,
  as Splunk writes ``_time``) or no zone (taken as UTC), ``T`` or a space between date and time;
- day/month/year with slashes, 24-hour or ``AM``/``PM``, seconds and fraction optional, a comma
  after the year or not (the Log Analytics portal's ``4/27/2021, 12:19:27.721 PM``, Excel's
  ``27/04/2021 12:19``), taken as UTC;
- epoch seconds (up to 11 digits, a fraction allowed) and epoch milliseconds (12-13 digits).

Slashed dates are read day-first or month-first per column: the values whose first or second
number is above 12 decide. A value both readings allow (``4/5/2021``) is read only when the
column decides one order; otherwise it is unreadable (NaT) rather than guessed. The column is the
whole input's: what decides it (``SlashedOrder``) is found over every value of the column and
handed to each parse of a part of it, so a part (the matched alerts, a Spark partition) reads its
values as the whole column does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_ZONED, _LOCAL = pa.timestamp("ns", "UTC"), pa.timestamp("ns")
_SLASHED = (
    r"^(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<year>\d{4}),?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?\s*(?P<half>[AaPp][Mm])?$"
)
_CLOCK = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?"
_ISO_FORMS = (_CLOCK + r"(?:Z|[+-]\d{2}:?\d{2})$", _CLOCK + "$")  # zoned, unzoned: Arrow casts
_EPOCH = r"^\d{9,13}(?:\.\d+)?$"
_MILLISECOND_EPOCHS = 1e11  # 10^11 s is the year 5138: larger numbers count milliseconds


def _arrow_times(texts: pa.Array) -> pa.Array | None:
    """Arrow's ISO-8601 cast when every value takes it (all zoned, or all without a zone: UTC),
    truncated to microseconds; None when any value needs the lenient path."""
    for kind in (_ZONED, _LOCAL):
        try:
            parsed = pc.cast(texts, kind)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        if kind is _LOCAL:
            parsed = pc.assume_timezone(parsed, "UTC")
        return pc.cast(parsed, pa.timestamp("us", "UTC"), safe=False)
    return None


@dataclass(frozen=True)
class SlashedOrder:
    """What a column's slashed dates say of their order: some can only be read day-first
    (``31/1/2021``), some only month-first (``1/31/2021``). Orders of parts combine with ``|``."""

    day_first: bool = False
    month_first: bool = False

    def __or__(self, other: SlashedOrder) -> SlashedOrder:
        return SlashedOrder(
            self.day_first or other.day_first, self.month_first or other.month_first
        )


def _says(first: pd.Series, second: pd.Series) -> tuple[pd.Series, pd.Series]:
    return (first > 12) & (second <= 12), (second > 12) & (first <= 12)


def _numbers(texts: pd.Series) -> pd.DataFrame:
    """``_SLASHED``'s groups of each value, NaN where the value has another form or lacks the
    part. Arrow's regex engine (RE2): pandas runs Python's per value, ~8x slower here."""
    text = pa.array(texts, pa.large_string(), from_pandas=True)
    if isinstance(text, pa.ChunkedArray):  # pandas' Arrow-backed text comes in chunks
        text = text.combine_chunks()
    found = pc.extract_regex(text, _SLASHED)
    other_form = pc.invert(found.is_valid())
    parts = {}
    for number, group in enumerate(found.type):
        part = found.field(number)
        # a group that took no part in the match is '' (every group matches a character or more)
        absent = pc.or_(other_form, pc.equal(part, ""))
        part = pc.if_else(absent, pa.scalar(None, part.type), part)
        parts[group.name] = pd.Series(part.to_pandas(), index=texts.index, dtype="str")
    return pd.DataFrame(parts, index=texts.index)


def slashed_order(values: pd.Series) -> SlashedOrder:
    """What the slashed dates among ``values`` say of the column's order (distinct values are
    looked at once; text without a slash is skipped)."""
    distinct = pd.Series(values.dropna().unique(), dtype="str")
    parts = _numbers(distinct[distinct.str.contains("/", regex=False)].str.strip())
    parts = parts[parts["a"].notna()]
    if parts.empty:
        return SlashedOrder()
    day, month = _says(parts["a"].astype("int64"), parts["b"].astype("int64"))
    return SlashedOrder(bool(day.any()), bool(month.any()))


def _day_first(first: pd.Series, second: pd.Series, column: SlashedOrder) -> pd.Series:
    """Per value: read day-first (True), month-first (False) or unreadable (NA), the column's
    unambiguous values (``column``, with these ones) deciding the ambiguous ones."""
    says_day_first, says_month_first = _says(first, second)
    column = column | SlashedOrder(bool(says_day_first.any()), bool(says_month_first.any()))
    column_day_first = column.day_first and not column.month_first
    column_month_first = column.month_first and not column.day_first
    order = pd.Series(pd.NA, index=first.index, dtype="boolean")
    order[says_day_first | (first == second)] = True
    order[says_month_first] = False
    ambiguous = order.isna() & (first <= 12) & (second <= 12)
    if column_day_first or column_month_first:
        order[ambiguous] = column_day_first
    return order


def _slashed(texts: pd.Series, column: SlashedOrder) -> pd.Series:
    """Slashed dates (``_SLASHED``) to UTC; values of other forms are NaT."""
    parts = _numbers(texts)
    found = parts["a"].notna()
    if not found.any():
        return pd.Series(pd.NaT, index=texts.index, dtype="datetime64[us, UTC]")
    parts = parts[found]
    numbers = parts[["a", "b", "year", "hour", "minute"]].astype("int64")
    second = parts["second"].fillna("0").astype("int64")
    order = _day_first(numbers["a"], numbers["b"], column)
    day = numbers["a"].where(order.fillna(False), numbers["b"])
    month = numbers["b"].where(order.fillna(False), numbers["a"])
    hour = numbers["hour"]
    half = parts["half"].str.lower()
    twelve_hour = half.notna()
    hour = hour.where(~twelve_hour, hour % 12 + np.where(half == "pm", 12, 0))
    valid = order.notna() & ~(twelve_hour & ~numbers["hour"].between(1, 12))
    stamp = pd.to_datetime(
        pd.DataFrame(
            {"year": numbers["year"], "month": month, "day": day, "hour": hour}
            | {"minute": numbers["minute"], "second": second}
        ),
        errors="coerce",
        utc=True,
    )
    fraction = parts["fraction"].fillna("0").str.ljust(9, "0").str[:6].astype("int64")
    stamp = (stamp + pd.to_timedelta(fraction, unit="us")).where(valid.to_numpy(bool))
    out = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[us, UTC]")
    out[found] = stamp.astype("datetime64[us, UTC]")
    return out


def _epochs(texts: pd.Series) -> pd.Series:
    """Epoch seconds or milliseconds to UTC; other values are NaT."""
    numbers = pd.to_numeric(texts.where(texts.str.fullmatch(_EPOCH, na=False)), errors="coerce")
    milliseconds = numbers >= _MILLISECOND_EPOCHS
    seconds = pd.to_datetime(numbers.where(~milliseconds), unit="s", utc=True, errors="coerce")
    millis = pd.to_datetime(numbers.where(milliseconds), unit="ms", utc=True, errors="coerce")
    return seconds.fillna(millis).astype("datetime64[us, UTC]")


def _lenient(values: pd.Series, column: SlashedOrder) -> pd.Series:
    """Every supported form, value by value (``_arrow_times`` failed on the column)."""
    text = values.astype("str").str.strip()
    iso = pd.to_datetime(
        text.str.replace(r"(\.\d{6})\d+", r"\1", regex=True),
        utc=True,
        format="ISO8601",
        errors="coerce",
    ).astype("datetime64[us, UTC]")
    return iso.fillna(_slashed(text, column)).fillna(_epochs(text))


def _by_form(texts: pa.Array, column: SlashedOrder) -> np.ndarray:
    """UTC instants (naive datetime64[us]) of a column mixing forms: its ISO values through
    Arrow's cast, zoned and unzoned apart, the others through ``_lenient``."""
    out = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[us]")
    rest = np.ones(len(texts), dtype=bool)
    for pattern in _ISO_FORMS:
        mask = pc.fill_null(pc.match_substring_regex(texts, pattern), False)
        rows = mask.to_numpy(zero_copy_only=False)
        parsed = _arrow_times(texts.filter(mask)) if rows.any() else None
        if parsed is not None:
            out[rows] = parsed.to_numpy(zero_copy_only=False)
            rest &= ~rows
    if rest.any():
        others = pd.Series(texts.filter(pa.array(rest)).to_pandas(), dtype="str")
        out[rest] = _lenient(others, column).dt.tz_convert(None).to_numpy()
    return out


def parse_times(values: pd.Series, column: SlashedOrder | None = None) -> pd.Series:
    """Each value as a UTC instant (microseconds); NaT when empty or unreadable.

    ``column``: what the whole column's slashed dates say of their order, when ``values`` are
    a part of it (else the values decide alone). Categorical values are parsed once per
    category in use, those categories together (a field's Graph values share their categories
    with every other path's). ISO text goes through Arrow's cast (far quicker than pandas;
    docs/scale.md, choices), the other forms through ``_lenient``."""
    column = column or SlashedOrder()
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        present = codes >= 0
        used = np.bincount(codes[present], minlength=len(values.cat.categories)) > 0
        categories = pd.Series(values.cat.categories[used], dtype="str")
        renumbered = np.full(len(codes), -1)
        renumbered[present] = (np.cumsum(used) - 1)[codes[present]]
        distinct = parse_times(categories, column)
        parsed = distinct.array.take(renumbered, allow_fill=True)
        return pd.Series(parsed, index=values.index)
    texts = pc.utf8_trim_whitespace(pa.array(values, pa.large_string(), from_pandas=True))
    fast = _arrow_times(texts) if len(texts) else None
    if fast is not None:
        return pd.Series(fast.to_pandas().array, index=values.index)
    instants = pd.Series(_by_form(texts, column), index=values.index).dt.tz_localize("UTC")
    return instants
