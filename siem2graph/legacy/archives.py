"""Archives: a .gz file or a .zip of several exports; each member is read as its own file.

Members are decompressed while they are read (never extracted to disk), within the limits of
ReadLimits (expanded size, expansion ratio, number of members). A member is named
``archive.zip!inner.csv`` (``export.csv.gz!export.csv`` for gzip).
"""

from __future__ import annotations

import contextlib
import gzip
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, cast

from siem2graph.errors import InputError
from siem2graph.legacy.collect import SIDE
from siem2graph.legacy.limits import ReadLimits
from siem2graph.legacy.streams import ExpansionGuard
from siem2graph.sources import RowProblem, Source

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
READABLE_MEMBERS = (".csv", ".tsv", ".txt", ".json", ".ndjson", ".jsonl")
_METADATA = ("__MACOSX/", ".DS_Store", "Thumbs.db")


@dataclass(frozen=True)
class Member:
    """One file to read: a plain source, or a member of an archive."""

    source: Source
    container: str = ""  # "gzip", "zip" or "" for a plain file


def _guarded(
    name: str,
    stack: contextlib.ExitStack,
    raw: BinaryIO,
    compressed: int | None,
    limits: ReadLimits,
) -> BinaryIO:
    return ExpansionGuard(  # type: ignore[return-value]
        name,
        raw,
        compressed,
        limits.max_expanded_bytes,
        limits.max_expansion_ratio,
        limits.expansion_ratio_floor_bytes,
        stack.close,
    )


def _gzip_member(source: Source, limits: ReadLimits) -> Member:
    inner = source.name[:-3] if source.name.lower().endswith(".gz") else source.name
    name = f"{source.name}!{inner}"

    def opener() -> BinaryIO:
        stack = contextlib.ExitStack()
        outer = stack.enter_context(source.open())
        raw = cast(BinaryIO, stack.enter_context(gzip.GzipFile(fileobj=outer)))
        return _guarded(name, stack, raw, source.stored_size(), limits)

    return Member(Source(name=name, opener=opener), "gzip")


def _zip_infos(source: Source, limits: ReadLimits) -> list[zipfile.ZipInfo]:
    try:
        with source.open() as outer, zipfile.ZipFile(outer) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise InputError(f"{source.name}: not a readable zip archive ({exc})") from None
    names = {i.filename for i in infos}
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        raise InputError(f"{source.name}: this is an Excel workbook; save it as CSV UTF-8")
    if len(infos) > limits.max_archive_members:
        raise InputError(
            f"{source.name}: {len(infos):,} members, more than {limits.max_archive_members:,} "
            "(ReadLimits.max_archive_members)"
        )
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_expanded_bytes:
        raise InputError(
            f"{source.name}: declares {declared:,} expanded bytes, more than "
            f"{limits.max_expanded_bytes:,} (ReadLimits.max_expanded_bytes); is it a zip bomb?"
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if (
            info.file_size > limits.expansion_ratio_floor_bytes
            and ratio > limits.max_expansion_ratio
        ):
            raise InputError(
                f"{source.name}!{info.filename}: expands {ratio:,.0f} times "
                "(ReadLimits.max_expansion_ratio); is it a zip bomb?"
            )
        if info.flag_bits & 0x1:
            raise InputError(f"{source.name}!{info.filename}: password-protected; extract it first")
    return infos


def _zip_members(source: Source, limits: ReadLimits) -> tuple[list[Member], list[RowProblem]]:
    members: list[Member] = []
    problems: list[RowProblem] = []
    for info in _zip_infos(source, limits):
        base = info.filename.rsplit("/", 1)[-1]
        if info.is_dir() or info.filename.startswith(_METADATA[0]) or base in _METADATA:
            continue
        name = f"{source.name}!{info.filename}"
        if not base.lower().endswith(READABLE_MEMBERS):
            reason = "not read: only .csv, .tsv, .txt, .json, .ndjson and .jsonl members are read"
            if base.lower().endswith((".gz", ".zip")):
                reason = "not read: an archive inside an archive; extract it first"
            problems.append(RowProblem(SIDE, name, None, reason))
            continue
        members.append(Member(Source(name=name, opener=_zip_opener(source, info, limits)), "zip"))
    return members, problems


def _zip_opener(
    source: Source, info: zipfile.ZipInfo, limits: ReadLimits
) -> Callable[[], BinaryIO]:
    name = f"{source.name}!{info.filename}"

    def opener() -> BinaryIO:
        stack = contextlib.ExitStack()
        archive = stack.enter_context(zipfile.ZipFile(stack.enter_context(source.open())))
        raw = cast(BinaryIO, stack.enter_context(archive.open(info)))
        return _guarded(name, stack, raw, info.compress_size, limits)

    return opener


def expand(source: Source, limits: ReadLimits) -> tuple[list[Member], list[RowProblem]]:
    """The files inside ``source`` (itself when it is not an archive), and members not read."""
    with source.open() as stream:
        magic = stream.read(4)
    if magic.startswith(GZIP_MAGIC):
        return [_gzip_member(source, limits)], []
    if magic in ZIP_MAGICS:
        return _zip_members(source, limits)
    return [Member(source)], []
