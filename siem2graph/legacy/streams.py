"""Binary stream wrappers: replay a sniffed head, re-encode to UTF-8, cap expanded bytes."""

from __future__ import annotations

import codecs
import io
import zlib
from collections.abc import Callable
from typing import BinaryIO

from siem2graph.errors import InputError
from siem2graph.legacy.limits import MIB

_CHUNK = MIB


class _RawReader(io.RawIOBase):
    """A readable raw stream built from ``_next_chunk``; subclasses produce the bytes."""

    def __init__(self) -> None:
        super().__init__()
        self._pending = b""

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bytes:
        raise NotImplementedError

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            chunk = self._next_chunk()
            if not chunk:
                return 0
            self._pending = chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class ReplayStream(_RawReader):
    """``head`` (already read from ``rest``) followed by the remainder of ``rest``."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._pending = head
        self._rest = rest

    def _next_chunk(self) -> bytes:
        return self._rest.read(_CHUNK)

    def close(self) -> None:
        self._rest.close()
        super().close()


class Utf8Reencoder(_RawReader):
    """Decode ``raw`` from ``encoding`` chunk by chunk and hand out UTF-8 (bad bytes -> U+FFFD)."""

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        super().__init__()
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._done = False

    def _next_chunk(self) -> bytes:
        while not self._done:
            chunk = self._raw.read(_CHUNK)
            self._done = not chunk
            text = self._decoder.decode(chunk, final=self._done)
            if text:
                return text.encode("utf-8")
        return b""

    def close(self) -> None:
        self._raw.close()
        super().close()


class ExpansionGuard(_RawReader):
    """Counts the bytes an archive member expands to; InputError past the limits (zip bombs).

    Decompression errors (a truncated or corrupt archive) also become InputError.
    """

    def __init__(
        self,
        name: str,
        raw: BinaryIO,
        compressed_bytes: int | None,
        max_bytes: int,
        max_ratio: float,
        ratio_floor: int,
        closer: Callable[[], None],
    ) -> None:
        super().__init__()
        self._name = name
        self._raw = raw
        self._closer = closer
        self._max_bytes = max_bytes
        self._ratio_cap = (
            max(ratio_floor, max_ratio * compressed_bytes) if compressed_bytes else None
        )
        self._max_ratio = max_ratio
        self.expanded = 0

    def _next_chunk(self) -> bytes:
        try:
            chunk = self._raw.read(_CHUNK)
        except (OSError, EOFError, zlib.error, ValueError) as exc:
            raise InputError(f"{self._name}: the archive is corrupt or truncated ({exc})") from None
        self.expanded += len(chunk)
        if self.expanded > self._max_bytes:
            raise InputError(
                f"{self._name}: expands to more than {self._max_bytes:,} bytes "
                "(ReadLimits.max_expanded_bytes); is it a zip bomb?"
            )
        if self._ratio_cap is not None and self.expanded > self._ratio_cap:
            raise InputError(
                f"{self._name}: expands more than {self._max_ratio:g} times its compressed size "
                "(ReadLimits.max_expansion_ratio); is it a zip bomb?"
            )
        return chunk

    def close(self) -> None:
        self._closer()
        super().close()
