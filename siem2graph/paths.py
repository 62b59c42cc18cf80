"""Graph paths: the small grammar the mapping uses to point into an alerts_v2 alert.

    path     := step ("." step)* ["." template]
    step     := name | name "[]" | name "[" evidenceType "]"
    template := text with "{key}" placeholders, applied to each object reached

``evidence[fileEvidence].fileDetails.sha1`` reads ``sha1`` from the ``fileDetails`` of every
evidence item whose ``@odata.type`` ends in ``.fileEvidence``; ``evidence[]`` takes every item;
``mitreTechniques[]`` every element; ``loggedOnUsers[].{domainName}\\{accountName}`` renders each
object through the template, ``fileDetails.{filePath}\\{fileName}`` the one object reached; a
template renders when at least one of its keys has a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_STEP = re.compile(r"^(?P<name>[A-Za-z@][A-Za-z0-9_.@]*?)(?:\[(?P<filter>[A-Za-z]*)\])?$")
_TEMPLATE_KEY = re.compile(r"\{([A-Za-z0-9_]+)\}")
ODATA_TYPE = "@odata.type"
TYPE_PREFIX = "#microsoft.graph.security."


@dataclass(frozen=True)
class Step:
    """One step of a path: a key, optionally iterating a list (filtered by evidence type)."""

    name: str
    iterate: bool = False
    type_filter: str = ""


@dataclass(frozen=True)
class GraphPath:
    """A parsed Graph path."""

    text: str
    steps: tuple[Step, ...]
    template: str = ""

    @property
    def template_keys(self) -> tuple[str, ...]:
        return tuple(_TEMPLATE_KEY.findall(self.template))

    @property
    def evidence_type(self) -> str:
        """The evidence type the path reads ('' when it reads the alert itself or any evidence)."""
        first = self.steps[0]
        return first.type_filter if first.name == "evidence" else ""


def parse_path(text: str) -> GraphPath:
    """Parse a path string; raises ValueError naming the bad step."""
    if not text or text != text.strip():
        raise ValueError(f"empty or padded path {text!r}")
    template = ""
    body = text
    brace = text.find(".{")
    if brace >= 0:
        body, template = text[:brace], text[brace + 1 :]
        if not _TEMPLATE_KEY.search(template):
            raise ValueError(f"template {template!r} in {text!r} names no key")
    steps = []
    for raw in body.split("."):
        match = _STEP.match(raw)
        if not match:
            raise ValueError(f"bad step {raw!r} in {text!r}")
        filt = match.group("filter")
        steps.append(Step(match.group("name"), filt is not None, filt or ""))
    return GraphPath(text, tuple(steps), template)


def evidence_type_name(item: dict[str, Any]) -> str:
    """'deviceEvidence' for an item typed '#microsoft.graph.security.deviceEvidence'."""
    odata = item.get(ODATA_TYPE)
    if not isinstance(odata, str):
        return ""
    return odata[len(TYPE_PREFIX) :] if odata.startswith(TYPE_PREFIX) else odata.rpartition(".")[2]


def to_text(value: Any) -> str:
    """The text form of a JSON scalar, '' for empty values."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def walk(node: Any, steps: tuple[Step, ...], template: str) -> list[str]:
    """Every non-empty value that ``steps`` (then ``template``) read below ``node``."""
    found: list[str] = []
    _collect(node, steps, template, found)
    return found


def _collect(node: Any, steps: tuple[Step, ...], template: str, found: list[str]) -> None:
    for position, step in enumerate(steps):
        if not isinstance(node, dict):
            return
        value = node.get(step.name)
        if step.iterate:
            if isinstance(value, list):
                rest = steps[position + 1 :]
                for item in value:
                    if not step.type_filter or (
                        isinstance(item, dict) and evidence_type_name(item) == step.type_filter
                    ):
                        _collect(item, rest, template, found)
            return
        node = value
    _leaf(node, template, found)


def _leaf(node: Any, template: str, found: list[str]) -> None:
    """The values at the end of a path: the template rendered over an object, or the scalars."""
    if not template:
        found.extend(leaf_values(node))
    elif isinstance(node, dict) and any(
        to_text(node.get(k)) for k in _TEMPLATE_KEY.findall(template)
    ):
        found.append(_TEMPLATE_KEY.sub(lambda m: to_text(node.get(m.group(1))), template))


def leaf_values(node: Any) -> list[str]:
    """The non-empty scalars a path that ends at ``node`` reads (itself, or a list's items)."""
    if isinstance(node, list):
        return [t for item in node if not isinstance(item, dict | list) and (t := to_text(item))]
    if isinstance(node, dict):
        return []
    text = to_text(node)
    return [text] if text else []
