"""YAML documents read as node trees, so that keys and values keep their file positions."""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from siem2graph.impact.source import ContentError

__all__ = ["MappingNode", "ScalarNode", "SequenceNode", "child", "compose", "scalar_span"]


def compose(text: str) -> Node | None:
    """The node tree (safe loader, no tags constructed); ContentError if malformed."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ContentError(f"malformed YAML: {exc}".replace("\n", " ")) from None


def child(node: Node | None, key: str) -> Node | None:
    """The value under ``key`` of a mapping node (None when absent or not a mapping)."""
    if isinstance(node, MappingNode):
        for key_node, value in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == key:
                return value
    return None


def scalar_span(node: ScalarNode) -> tuple[int, int]:
    """Character span of a one-line scalar's text, without its quotes."""
    start = node.start_mark.index + (1 if node.style in ("'", '"') else 0)
    end = node.end_mark.index - (1 if node.style in ("'", '"') else 0)
    return start, end
