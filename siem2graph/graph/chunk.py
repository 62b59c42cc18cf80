"""What one batch of alerts contributes to the read, whichever path (Arrow or per-alert) made it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Alert properties the audit keeps per alert for filters, timelines and the explorer.
ALERT_COLUMNS = (
    "id",
    "providerAlertId",
    "title",
    "severity",
    "category",
    "status",
    "serviceSource",
    "detectionSource",
    "createdDateTime",
    "lastUpdateDateTime",
)
HOST = "host"


class Unsupported(Exception):
    """A value the Arrow path cannot render exactly as the per-alert walk does."""


class NotLines(Exception):
    """pyarrow read a batch differently from the line-by-line reader (orjson, one per line)."""


VALUE_TYPE = pa.dictionary(pa.int32(), pa.large_string())


def value_texts(texts: pa.Array) -> pa.DictionaryArray:
    """A batch's values dictionary-encoded (in the reader's threads: the whole file's values
    are then numbered by unifying the batches' dictionaries, not by hashing every text)."""
    return pc.dictionary_encode(texts.cast(pa.large_string()))


@dataclass(frozen=True)
class Chunk:
    """Alert texts, (alert, path, value) rows and populated leaf paths of a batch of alerts."""

    alerts: dict[str, pa.Array]  # ALERT_COLUMNS + HOST, text ('' when absent)
    value_alert: np.ndarray  # int64: position of the alert in the batch
    value_path: np.ndarray  # int16: number of the mapped path
    value_text: pa.DictionaryArray  # VALUE_TYPE, non-empty; distinct per alert and path
    leaf_paths: tuple[str, ...]  # the populated leaf paths of these alerts
    leaves: np.ndarray  # packed bits (np.packbits), alert x leaf_paths: populated here

    def __len__(self) -> int:
        return len(self.leaves)


@dataclass(frozen=True)
class Outcome:
    """A batch read: its alerts, the records it held and the problems, by line or position."""

    chunk: Chunk
    records: int
    problems: tuple[tuple[int, str], ...]
