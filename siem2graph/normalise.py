"""How comparators read values: normalisers (a value -> the keys it is found by), which values a
comparator can read at all, and the params each comparator takes (checked on load)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from siem2graph.times import SlashedOrder, parse_times

# the run's param holding what the whole legacy column's slashed dates say (``times``)
SLASHED_ORDER = "_slashed_order"
DEFAULT_SEPARATORS = ";,"
Normaliser = Callable[[pd.Series, Mapping[str, Any], Mapping[str, tuple[str, ...]]], pd.Series]
Readable = Callable[[pd.Series, Mapping[str, Any], Mapping[str, tuple[str, ...]]], np.ndarray]

_URL_TAIL = r"(?i)(?:[?&]alertid=(?P<param>[^&#]+))|/(?P<segment>[^/?#]+)/?(?:[?#][^/]*)?$"
_URL_TAIL_RE = re.compile(_URL_TAIL)


def lower(values: pd.Series, *_: Any) -> pd.Series:
    return values.str.strip().str.lower()


def identity(values: pd.Series, *_: Any) -> pd.Series:
    return values


def whitespace(values: pd.Series, *_: Any) -> pd.Series:
    """Runs of ASCII white space as one space, outer white space trimmed (splitting on the runs
    and joining with a space: quicker than a regex replace; docs/scale.md, choices)."""
    texts = pa.array(values, pa.large_string(), from_pandas=True)
    joined = pc.binary_join(pc.ascii_split_whitespace(texts), pa.scalar(" ", pa.large_string()))
    return pd.Series(pd.array(pc.utf8_trim_whitespace(joined), dtype="str"), index=values.index)


def present(values: pd.Series, *_: Any) -> pd.Series:
    return pd.Series("present", index=values.index, dtype="str")


def vocabulary(
    values: pd.Series, _params: Mapping[str, Any], vocabulary: Mapping[str, tuple[str, ...]]
) -> pd.Series:
    lowered = lower(values)
    vocab = {k: [v.lower() for v in vs] for k, vs in vocabulary.items()}
    mapped = lowered.map(vocab)
    candidates = mapped.where(mapped.notna(), lowered.map(lambda v: [v]))
    return candidates.explode().astype("str")


def dns_parts(values: pd.Series, *_: Any) -> pd.Series:
    lowered = lower(values)
    parts = lowered.str.split(".", n=1, expand=True)
    pieces = [lowered, parts[0]]
    if parts.shape[1] > 1:
        pieces.append(parts[1].dropna())
    return pd.concat(pieces).astype("str")


def accounts(values: pd.Series, *_: Any) -> pd.Series:
    """A ``DOMAIN\\user`` account lowered, and also its user name alone: the SIEM API lists
    an account without its domain where it had none to give (Windows 10 1607,
    api-portal-mapping.md), and that is still the account."""
    lowered = lower(values)
    names = lowered.str.rpartition("\\")[2]
    return pd.concat([lowered, names[names != lowered]]).astype("str")


def non_empty(texts: pa.Array) -> pa.Array:
    return pc.fill_null(pc.greater(pc.binary_length(texts), 0), False)


def url_tail(values: pd.Series, *_: Any) -> pd.Series:
    """The alertid parameter or the last path segment, lowered (the text itself if neither),
    without Graph's 'da' prefix: a link to 636..._67 and one to da636..._67 name one alert, as
    the join has it.

    RE2 (pyarrow) and Python's re agree on this pattern for ASCII text without line breaks
    (``$`` and case folding differ beyond); other texts go through Python's re.
    """
    texts = pa.array(values, pa.large_string(), from_pandas=True)
    found = pc.extract_regex(texts, _URL_TAIL)
    param, segment = pc.struct_field(found, [0]), pc.struct_field(found, [1])
    tail = pc.if_else(non_empty(param), param, segment)
    tail = pc.if_else(non_empty(tail), tail, texts)
    tail = tail.to_numpy(zero_copy_only=False)
    simple = pc.and_(pc.string_is_ascii(texts), pc.invert(pc.match_substring(texts, "\n")))
    for row in np.flatnonzero(~pc.fill_null(simple, True).to_numpy(zero_copy_only=False)):
        text = texts[row].as_py()
        match = _URL_TAIL_RE.search(text)
        tail[row] = (match.group("param") or match.group("segment")) if match else text
    return pd.Series(tail, index=values.index, dtype="str").str.lower().str.removeprefix("da")


def _ip_text(text: str) -> str | None:
    """The address's one text (RFC 5952): brackets and a zone index dropped, an IPv4-mapped
    IPv6 address as the IPv4 one; None when the text is no IP address."""
    bare = text.strip().removeprefix("[").removesuffix("]").partition("%")[0]
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return address.compressed


# an IPv4 address already in its one text (no leading zero, no space): most addresses are
_DOTTED_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_PLAIN_IPV4 = rf"{_DOTTED_OCTET}(?:\.{_DOTTED_OCTET}){{3}}"


def _ip_texts(values: pd.Series) -> pd.Series:
    """``_ip_text`` of each value (None for no address, NaN kept); a plain IPv4 text is its own
    one text and skips the per-value parse."""
    plain = values.str.fullmatch(_PLAIN_IPV4).fillna(False).to_numpy(bool)
    texts = values.astype(object).where(plain, None)
    others = ~plain & values.notna().to_numpy(bool)
    texts[others] = values[others].map(_ip_text)
    return texts.where(values.notna(), np.nan)


def ip(values: pd.Series, *_: Any) -> pd.Series:
    """An IP address in its one text; other text lowered (still found when equal)."""
    texts = _ip_texts(values)
    return texts.where(texts.notna(), lower(values)).astype("str")


_HASH = r"(?i)^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$"
_SCHEME = r"^[a-z][a-z0-9+.-]*://"


def url(values: pd.Series, *_: Any) -> pd.Series:
    """Lowered, without the scheme and a trailing slash: ``down.esales360.cn`` is
    ``http://down.esales360.cn/``."""
    lowered = lower(values).str.replace(_SCHEME, "", regex=True)
    return lowered.str.replace(r"/$", "", regex=True)


def any_text(values: pd.Series, *_: Any) -> np.ndarray:
    return np.ones(len(values), dtype=bool)


def hex_hash(values: pd.Series, *_: Any) -> np.ndarray:
    """An MD5, SHA-1 or SHA-256 in hex (redacted 'xxxxxxxx' or cut hashes are not)."""
    return values.str.strip().str.fullmatch(_HASH).fillna(False).to_numpy(bool)


def ip_address(values: pd.Series, *_: Any) -> np.ndarray:
    """An IPv4 or IPv6 address in any of its text forms (a masked ``XXX.XXX.XXX.XXX`` is not)."""
    return _ip_texts(values).notna().to_numpy(bool)


def known_value(
    values: pd.Series, _params: Mapping[str, Any], vocabulary: Mapping[str, tuple[str, ...]]
) -> np.ndarray:
    """A vocabulary key or one of the Graph values it allows (case-insensitive)."""
    known = {k.lower() for k in vocabulary} | {v.lower() for vs in vocabulary.values() for v in vs}
    return lower(values).isin(known).to_numpy(bool)


def unmasked(values: pd.Series, *_: Any) -> np.ndarray:
    """Not Graph's ``unknownFutureValue``: without ``Prefer: include-unknown-enum-members`` the
    members added after it come back under that name, so it hides a value (DOMAIN.md 2.2)."""
    return lower(values).ne("unknownfuturevalue").to_numpy(bool)


def slashed_order(params: Mapping[str, Any]) -> SlashedOrder | None:
    order = params.get(SLASHED_ORDER)
    return order if isinstance(order, SlashedOrder) else None


def instant(values: pd.Series, params: Mapping[str, Any], *_: Any) -> np.ndarray:
    return parse_times(values, slashed_order(params)).notna().to_numpy(bool)


def split_items(values: pd.Series, separators: str) -> pd.Series:
    """Split multi-valued legacy strings into trimmed, non-empty items (index repeated)."""
    pattern = "[" + "".join("\\" + c if c in "\\]^-" else c for c in separators) + "]"
    items = values.str.split(pattern, regex=True).explode().str.strip()
    return items[items.fillna("") != ""].astype("str")


def no_params(params: Mapping[str, Any]) -> None:
    if params:
        raise ValueError(f"this comparator takes no params, got {sorted(params)}")


def separator_params(params: Mapping[str, Any]) -> None:
    if set(params) - {"separators"}:
        raise ValueError(f"only 'separators' is a param here, got {sorted(params)}")
    seps = params.get("separators", DEFAULT_SEPARATORS)
    if not isinstance(seps, str) or not seps:
        raise ValueError("separators must be a non-empty text")


def dns_params(params: Mapping[str, Any]) -> None:
    if set(params) - {"part"} or params.get("part", "host") not in ("host", "domain"):
        raise ValueError("contained_in takes only 'part': host or domain")


def datetime_params(params: Mapping[str, Any]) -> None:
    if set(params) - {"tolerance_seconds", "legacy_aggregate"}:
        raise ValueError(f"unknown datetime params {sorted(params)}")
    tolerance = params.get("tolerance_seconds")
    if not isinstance(tolerance, int | float) or isinstance(tolerance, bool) or tolerance < 0:
        raise ValueError("tolerance_seconds must be a number >= 0")
    if params.get("legacy_aggregate", "all") not in ("all", "min", "max"):
        raise ValueError("legacy_aggregate must be all, min or max")
