"""Labelled comment data: reading Jigsaw-style CSV files and a stable validation split.

Only numpy here, so that the evaluation and calibration code can share it without
torch. The comment texts are offensive by nature: nothing in this module prints them.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workers.scoring.labels import DETOXIFY_LABELS, DETOXIFY_NAMES, JIGSAW_CLASSES


@dataclass(frozen=True)
class LabelledData:
    """Comments and their labels.

    Attributes:
        ids: the ``id`` column, or the row numbers (as strings) when there is none.
        texts: the ``comment_text`` column.
        labels: Detoxify label name -> float array (1.0, 0.0, or NaN where unlabelled),
            for each of the six Jigsaw columns the file has.
    """

    ids: list[str]
    texts: list[str]
    labels: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, mask: np.ndarray) -> LabelledData:
        """The rows where ``mask`` is true."""
        index = np.flatnonzero(mask)
        return LabelledData(
            [self.ids[i] for i in index],
            [self.texts[i] for i in index],
            {name: values[index] for name, values in self.labels.items()},
        )

    def toxic(self) -> np.ndarray:
        """Per row: 1.0 if any label is 1, 0.0 if all known labels are 0, NaN if none known."""
        stacked = np.stack(list(self.labels.values()), axis=1)
        known = ~np.isnan(stacked)
        toxic = np.where(known.any(axis=1), 0.0, np.nan)
        toxic[np.nansum(stacked, axis=1) > 0] = 1.0
        return toxic

    def matrix(self) -> np.ndarray:
        """The labels as an ``(n, 6)`` float32 matrix in ``JIGSAW_CLASSES`` order.

        Raises:
            ValueError: if a column is missing or has unlabelled rows.
        """
        missing = [name for name in DETOXIFY_LABELS if name not in self.labels]
        if missing:
            raise ValueError(f"training needs every Jigsaw label column; missing: {missing}")
        matrix = np.stack([self.labels[name] for name in DETOXIFY_LABELS], axis=1)
        if np.isnan(matrix).any():
            raise ValueError("training needs a 0 or 1 in every label cell")
        return matrix.astype(np.float32)


def read_labelled_csv(path: str | Path, limit: int | None = None) -> LabelledData:
    """Read a CSV with ``comment_text`` and any of the six Jigsaw label columns.

    Label cells hold 0 or 1; an empty cell or -1 (as in Jigsaw's test labels) means
    unlabelled.

    Args:
        path: the CSV file.
        limit: read at most this many rows (the first ones).

    Raises:
        ValueError: if ``comment_text`` is missing or a label cell is not 0, 1, -1 or empty.
    """
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    ids: list[str] = []
    texts: list[str] = []
    columns: dict[str, list[float]] = {}
    with Path(path).open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        if "comment_text" not in fields:
            raise ValueError(f"{path}: no comment_text column")
        present = [name for name in JIGSAW_CLASSES if name in fields]
        columns = {name: [] for name in present}
        for number, row in enumerate(reader):
            if limit is not None and number >= limit:
                break
            ids.append(row.get("id") or str(number))
            texts.append(row["comment_text"] or "")
            for name in present:
                columns[name].append(_label(row[name], path, number, name))
    labels = {DETOXIFY_NAMES[name]: np.asarray(values, dtype=np.float64)
              for name, values in columns.items()}
    return LabelledData(ids, texts, labels)


def _label(cell: str | None, path: str | Path, number: int, name: str) -> float:
    cell = (cell or "").strip()
    if cell in {"", "-1"}:
        return float("nan")
    if cell in {"0", "1", "0.0", "1.0"}:
        return float(cell)
    raise ValueError(f"{path}: row {number + 1}, column {name}: expected 0 or 1")


def validation_mask(ids: list[str], seed: int = 0, fraction: float = 0.15) -> np.ndarray:
    """Which rows belong to the validation part: a hash of seed and comment id.

    The split depends on neither row order nor ``--limit``, so that ``eval --split
    validation`` finds the same rows that ``train`` held out.
    """
    cut = int(fraction * 2**32)
    return np.array([
        int.from_bytes(hashlib.sha256(f"{seed}:{id_}".encode()).digest()[:4], "big") < cut
        for id_ in ids
    ], dtype=bool)


def select_split(data: LabelledData, split: str, seed: int = 0,
                 fraction: float = 0.15) -> LabelledData:
    """``split`` is ``all``, ``train`` or ``validation`` (as ``train --seed`` made it)."""
    if split == "all":
        return data
    mask = validation_mask(data.ids, seed, fraction)
    return data.subset(mask if split == "validation" else ~mask)
