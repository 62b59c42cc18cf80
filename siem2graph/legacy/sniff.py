"""Look at a file's first bytes: refuse binary data, pick the encoding, CSV or JSON, delimiter."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from siem2graph.errors import InputError
from siem2graph.legacy.limits import MIB
from siem2graph.legacy.streams import ReplayStream, Utf8Reencoder
from siem2graph.sources import Source

HEAD_BYTES = 1 << 16
DELIMITERS = (",", ";", "\t", "|")
_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SIGNATURES = (
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls; save it as CSV UTF-8)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "an ELF executable"),
    (b"SQLite format 3", "an SQLite database"),
)
_TEXT_CONTROLS = set("\t\n\r\f\v")


@dataclass(frozen=True)
class Decoded:
    """A file opened as UTF-8 bytes without BOM, with what sniffing found."""

    stream: BinaryIO
    encoding: str  # the file's encoding as found, e.g. "utf-8-sig", "utf-16-le", "cp1252"
    head: str  # the decoded first bytes, for format and header sniffing
    kind: str  # "csv" or "json"
    native: Path | None = None  # a UTF-8 file on disk pyarrow may read itself (fastest)


def _utf16_without_bom(head: bytes) -> str | None:
    even, odd = head[0::2], head[1::2]
    if len(head) >= 4 and odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if len(head) >= 4 and even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def detect_encoding(head: bytes, whole: bool) -> tuple[str, str, int]:
    """(codec, label, BOM length) of a file's first bytes (``whole``: the file is no longer);
    cp1252 when they are not UTF-8."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec, ("utf-8-sig" if codec == "utf-8" else codec), len(bom)
    utf16 = _utf16_without_bom(head)
    if utf16:
        return utf16, utf16, 0
    try:
        # a sequence cut at the end of the head may go on beyond it, but not at the file's end
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
    except UnicodeDecodeError:
        return "cp1252", "cp1252", 0
    return "utf-8", "utf-8", 0


def binary_kind(head: bytes) -> str | None:
    """What a file starting with ``head`` is when it is a known binary format ('a PNG image')."""
    return next((what for signature, what in _SIGNATURES if head.startswith(signature)), None)


def _refuse_binary(name: str, head: bytes, text: str) -> None:
    if what := binary_kind(head):
        raise InputError(f"{name}: this is {what}, not a CSV or JSON export")
    controls = sum(1 for c in text if c < " " and c not in _TEXT_CONTROLS)
    if "\x00" in text or controls > 0.05 * max(len(text), 1):
        raise InputError(f"{name}: binary data, not a CSV or JSON export")


def open_decoded(source: Source, force_replace: bool = False) -> Decoded:
    """Open ``source`` as UTF-8: BOM dropped, other encodings re-encoded while streaming.

    ``force_replace`` re-encodes even UTF-8, turning invalid byte sequences into U+FFFD.
    """
    raw = source.open()
    head = raw.read(HEAD_BYTES)
    codec, label, bom = detect_encoding(head, whole=len(head) < HEAD_BYTES)
    text = codecs.getincrementaldecoder(codec)(errors="replace").decode(head[bom:])
    if not text.strip():
        raw.close()
        raise InputError(f"{source.name}: the file is empty")
    try:
        _refuse_binary(source.name, head, text)
    except InputError:
        raw.close()
        raise
    stream: io.RawIOBase = ReplayStream(head[bom:], raw)
    if codec != "utf-8" or force_replace:
        stream = Utf8Reencoder(stream, codec)  # type: ignore[arg-type]
    kind = "json" if text.lstrip()[:1] in ("[", "{") else "csv"
    buffered = io.BufferedReader(stream, buffer_size=MIB)  # pyarrow wants full reads
    native = (
        source.path if codec == "utf-8" and not force_replace and source.opener is None else None
    )
    return Decoded(stream=buffered, encoding=label, head=text, kind=kind, native=native)


def first_record(head: str, delimiter: str) -> list[str]:
    """The header row parsed with ``delimiter`` (quoted names may hold the delimiter)."""
    return next(csv.reader(head.splitlines()[:1] or [""], delimiter=delimiter), [])


def detect_delimiter(head: str) -> str:
    """The delimiter that splits the header row into the most names (ties: comma first)."""
    return max(DELIMITERS, key=lambda d: len(first_record(head.lstrip("\r\n"), d)))
