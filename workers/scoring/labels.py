"""The model's labels, in the order of its outputs, and the file hash the assembly checks."""

from __future__ import annotations

import hashlib
from pathlib import Path

JIGSAW_CLASSES: tuple[str, ...] = (
    "toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate",
)
"""The six Jigsaw label columns, in the order of the model's outputs."""

DETOXIFY_NAMES: dict[str, str] = {
    "toxic": "toxicity",
    "severe_toxic": "severe_toxicity",
    "obscene": "obscene",
    "threat": "threat",
    "insult": "insult",
    "identity_hate": "identity_attack",
}
"""Jigsaw column name -> Detoxify label name."""

DETOXIFY_LABELS: tuple[str, ...] = tuple(DETOXIFY_NAMES[name] for name in JIGSAW_CLASSES)


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
