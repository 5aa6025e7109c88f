"""Sentence vectors: which encoder layer's mean-pooled state the scorers give beside the
scores, and the name of the space such vectors live in.

The scorers (``scorer.DetoxifyScorer``, ``ort.OnnxScorer``) take them from the forward
pass that scores (an extra output of the exported graph), so they cost no second pass.
``DEFAULT_LAYER`` was chosen by ``moderation model layers`` (docs/model.md): for
``news-minilm-2`` and again for ``news-minilm-3`` the last of MiniLM's six layers served
candidates best, by a little.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

DEFAULT_LAYER = 6
"""``SENTENCE_VECTOR_LAYER``'s default (1 is the first encoder layer)."""


def effective_layer(layer: int, layers: int) -> int:
    """``layer`` within a model of ``layers`` encoder layers: a smaller model's last."""
    return max(1, min(int(layer), int(layers)))


class LayeredScores:
    """What both scorers derive from their ``score_layers``: the scores alone, or the scores
    with the sentence vector of their ``layer``."""

    layer: int

    def score_layers(self, texts: Sequence[str]) -> tuple[list[dict[str, float]], Any]:
        raise NotImplementedError

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return self.score_layers(texts)[0]

    def score_and_embed(self, texts: Sequence[str]) -> tuple[list[dict[str, float]], Any]:
        """The scores and, from the same forward pass, each text's sentence vector
        (``(len(texts), hidden)`` float32, the mean-pooled state of layer ``self.layer``)."""
        scores, layers = self.score_layers(texts)
        return scores, layers[:, self.layer - 1, :]


def space(name: str, version: str, layer: int) -> str:
    """``news-minilm@2.0/layer4``: vectors of one space are comparable; a candidate fitted
    on one space is not applied to another's (the backend, fp32 or int8, is not part)."""
    return f"{name}@{version}/layer{layer}"
