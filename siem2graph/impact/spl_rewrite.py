"""SPL rewrites that run: the rule as a search over Graph alerts_v2 events as a Splunk input
lands them (one event per alert, its JSON as the event, fields extracted with KV_MODE=json).

Alert properties are fields of their own (``severity``, ``title``). Evidence properties are read
from ``evidence{}``: the items of each type are picked by their ``@odata.type`` and the property
is read from each (``mvmap``/``spath``, Splunk 8.0+), so the search keeps one row per alert.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from siem2graph.impact.edits import Edit, Judged, ManualRewrite, apply_edits, edits_for
from siem2graph.impact.finder import JOIN, Occurrence
from siem2graph.impact.splunk import SPL
from siem2graph.impact.tokens import CLOSE, OPEN, PIPE, tokenize
from siem2graph.paths import TYPE_PREFIX, GraphPath, parse_path

EVIDENCE_FIELD = "_evidence"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COMMAND = re.compile(r"\|\s*(?P<name>\w+)[^|]*$")
NOTE = (
    "Runs over alerts_v2 events as JSON (KV_MODE=json; mvmap needs Splunk 8.0+): point its "
    "index/sourcetype at the input that writes Graph alerts."
)


@dataclass
class _Prelude:
    """The evals that give evidence properties a field name, and the names given."""

    names: dict[tuple[str, ...], str] = field(default_factory=dict)
    kinds: list[str] = field(default_factory=list)
    evals: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not self.evals:
            return []
        picks = [
            f'| eval _{kind}=mvfilter(like({EVIDENCE_FIELD}, "%\\"{TYPE_PREFIX}{kind}\\"%"))'
            for kind in self.kinds
        ]
        return [f"| spath path=evidence{{}} output={EVIDENCE_FIELD}", *picks, *self.evals]

    def name_for(self, paths: Sequence[GraphPath]) -> str:
        key = tuple(p.text for p in paths)
        if key in self.names:
            return self.names[key]
        reads = [self._reader(path) for path in paths]
        name = paths[0].steps[-1].name
        if name in self.names.values():
            name = f"{paths[0].evidence_type or 'evidence'}_{name}"
        expression = reads[0] if len(reads) == 1 else f"mvappend({', '.join(reads)})"
        self.evals.append(f"| eval {name}={expression}")
        self.names[key] = name
        return name

    def _reader(self, path: GraphPath) -> str:
        kind = path.evidence_type
        items = f"_{kind}" if kind else EVIDENCE_FIELD
        if kind and kind not in self.kinds:
            self.kinds.append(kind)
        inner = ".".join(step.name + ("{}" if step.iterate else "") for step in path.steps[1:])
        return f'mvmap({items}, spath({items}, "{inner}"))'


def _reads_evidence(path: GraphPath) -> bool:
    first = path.steps[0]
    return first.name == "evidence" and first.iterate


def _alert_field(path: GraphPath) -> str:
    name = ".".join(step.name + ("{}" if step.iterate else "") for step in path.steps)
    if not _NAME.match(name):
        raise ManualRewrite(f"{path.text} has no plain SPL field name; quote it where it is used")
    return name


def _plain_paths(field_name: str, texts: Sequence[str]) -> list[GraphPath]:
    """The field's paths that read one property (a path rendering a template has no SPL form)."""
    try:
        paths = [parse_path(text) for text in texts]
    except ValueError as exc:
        raise ManualRewrite(f"{field_name}: {exc}") from None
    plain = [path for path in paths if not path.template]
    if not plain:
        raise ManualRewrite(
            f"{field_name}: Graph builds it from several properties ({', '.join(texts)})"
        )
    return plain


def _joined(text: str, occurrence: Occurrence, name: str) -> str:
    """A lookup key keeps the lookup's column (``X AS new``); a join key cannot be renamed."""
    command = _COMMAND.search(text, 0, occurrence.start)
    if command and command.group("name") == "lookup":
        return f"{occurrence.as_written} AS {name}"
    raise ManualRewrite(f"{occurrence.as_written} is a join key: the joined search keeps its name")


def _layout(text: str) -> tuple[int, list[tuple[int, int]]]:
    """Where the base search ends (its first top-level pipe) and the subsearch spans."""
    end, spans, depth, opened = len(text), [], 0, 0
    for token in tokenize(text, SPL.comments):
        if token.kind == OPEN:
            opened = token.start if depth == 0 else opened
            depth += 1
        elif token.kind == CLOSE and depth:
            depth -= 1
            if depth == 0:
                spans.append((opened, token.end))
        elif token.kind == PIPE and depth == 0 and end == len(text):
            end = token.start
    return end, spans


def rewrite_spl(text: str, judged: Judged, paths_of: Callable[[str], Sequence[str]]) -> str:
    """The rule over Graph alerts; ManualRewrite says why there is none."""
    base_end, spans = _layout(text)
    prelude = _Prelude()
    edits: list[Edit] = []
    for occurrence, references in judged:
        names: dict[str, str] = {}
        for ref, _ in references:
            if not ref.graph_path or ref.graph_path in names:
                continue
            paths = _plain_paths(ref.field, paths_of(ref.field))
            if not _reads_evidence(paths[0]):
                name = _alert_field(paths[0])
            elif occurrence.start < base_end or any(a <= occurrence.start < b for a, b in spans):
                where = "the base search" if occurrence.start < base_end else "a subsearch"
                raise ManualRewrite(
                    f"{ref.as_written} in {where} reads evidence: filter on it after "
                    "the evidence fields are extracted"
                )
            else:
                name = prelude.name_for(paths)
            names[ref.graph_path] = _joined(text, occurrence, name) if ref.usage == JOIN else name
        edits.extend(edits_for(occurrence, references, names))
    rewritten = apply_edits(text, edits)
    lines = prelude.lines()
    if not lines:
        return rewritten
    cut = base_end + sum(len(new) - (e - s) for s, e, new in set(edits) if e <= base_end)
    head, tail = rewritten[:cut].rstrip(), rewritten[cut:]
    return "\n".join([head, *lines, *([tail] if tail else [])])
