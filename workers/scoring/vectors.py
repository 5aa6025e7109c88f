"""Sentence vectors: which encoder layer's mean-pooled state the scorers give beside the
scores, and the name of the space such vectors live in.

The scorers (``scorer.DetoxifyScorer``, ``ort.OnnxScorer``) take them from the forward
pass that scores (an extra output of the exported graph), so they cost no second pass.
``DEFAULT_LAYER`` was chosen by ``moderation model layers`` (docs/model.md): for
``news-minilm-2`` the last of MiniLM's six layers served candidates best, by a little.
"""

from __future__ import annotations

DEFAULT_LAYER = 6
"""``SENTENCE_VECTOR_LAYER``'s default (1 is the first encoder layer)."""


def effective_layer(layer: int, layers: int) -> int:
    """``layer`` within a model of ``layers`` encoder layers: a smaller model's last."""
    return max(1, min(int(layer), int(layers)))


def space(name: str, version: str, layer: int) -> str:
    """``news-minilm@2.0/layer4``: vectors of one space are comparable; a candidate fitted
    on one space is not applied to another's (the backend, fp32 or int8, is not part)."""
    return f"{name}@{version}/layer{layer}"
