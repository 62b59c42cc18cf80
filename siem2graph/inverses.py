"""The inverse of each comparator's normalisation: an alert's Graph values at a field's paths ->
the value a SIEM API record would carry (the bridge writes these)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from siem2graph.normalise import DEFAULT_SEPARATORS

# Graph values at a field's paths (in path order, non-empty), the params and the legacy labels
# (Graph value in lower case -> legacy value as spelled) -> the value a SIEM API record would carry.
Inverse = Callable[[Sequence[str], Mapping[str, Any], Mapping[str, str]], str]


def first(values: Sequence[str], *_: Any) -> str:
    return values[0]


def nothing(_values: Sequence[str], *_: Any) -> str:
    return ""


def joined(values: Sequence[str], params: Mapping[str, Any], *_: Any) -> str:
    """Every distinct value, joined by the field's first separator and a space."""
    separator = str(params.get("separators", DEFAULT_SEPARATORS))[0]
    return f"{separator} ".join(dict.fromkeys(values))


def listed(values: Sequence[str], *_: Any) -> str:
    return ", ".join(dict.fromkeys(values))


def legacy_label(
    values: Sequence[str], _params: Mapping[str, Any], labels: Mapping[str, str]
) -> str:
    """The legacy value of the first Graph value the vocabulary knows; the value itself else."""
    for value in values:
        label = labels.get(value.lower())
        if label is not None:
            return label
    return values[0]


def dns_part(values: Sequence[str], params: Mapping[str, Any], *_: Any) -> str:
    """The first name's host, or that host's domain: from the first name of the same host that
    has one (a bare deviceDnsName has none; the name rebuilt from the same device's hostName and
    dnsDomain may). Another device's domain is never taken."""
    host = values[0].partition(".")[0]
    if params.get("part", "host") != "domain":
        return host
    names = (value.partition(".") for value in values)
    same = (d for h, _dot, d in names if d and h.casefold() == host.casefold())
    return next(same, "")


def utc_text(values: Sequence[str], *_: Any) -> str:
    """An instant as the SIEM API wrote it: ISO-8601 in UTC with a Z."""
    text = values[0].strip()
    if text.endswith(("Z", "z")):
        return text[:-1] + "Z"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return moment.replace(tzinfo=None).isoformat() + "Z"
