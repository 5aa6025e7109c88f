"""Which words drove a held comment's toxicity: occlusion, one extra forward pass.

Each word (or, in a long comment, each run of neighbouring words) is left out in turn;
its weight is how much the calibrated ``toxicity`` falls without it. All the variants
of one comment are scored together, as one batch; ``explain_all`` scores those of many
comments in one call (``workers.scoring.explaining``, the explain queue's job).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

WORD = re.compile(r"\w+(?:['\u2019]\w+)*")
MAX_SPANS = 24
"""Most variants scored per comment: longer comments are cut into runs of words."""
MIN_WEIGHT = 0.001


def word_spans(text: str, max_spans: int = MAX_SPANS) -> list[tuple[int, int]]:
    """Character offsets of the words of ``text``, merged into at most ``max_spans`` runs."""
    words = [match.span() for match in WORD.finditer(text)]
    if len(words) <= max_spans:
        return words
    size = -(-len(words) // max_spans)  # ceiling division
    return [(words[k][0], words[min(k + size, len(words)) - 1][1])
            for k in range(0, len(words), size)]


def explain(scorer: Any, text: str, score: float, label: str = "toxicity",
            max_spans: int = MAX_SPANS) -> list[dict[str, float]]:
    """The spans that drove ``label``'s ``score``, strongest first.

    Args:
        scorer: scores texts (``workers.scoring.scorer``), as it scored ``text``.
        text: the comment's body; offsets index into it.
        score: ``label``'s score of the whole text.

    Returns:
        ``[{"start", "end", "weight"}]``: the spans whose removal lowers the score.
    """
    spans = word_spans(text, max_spans)
    if not spans:
        return []
    return _weigh(spans, score, scorer.score(_variants(text, spans)), label)


def explain_all(scorer: Any, texts: Sequence[str], label: str = "toxicity",
                max_spans: int = MAX_SPANS) -> list[list[dict[str, float]]]:
    """Each text's spans, as ``explain`` finds them, from one call to the scorer.

    Each text is scored with its variants, so that the weights are measured against the
    scorer's own score of the whole text, and the scorer packs the variants of all the
    texts into batches of similar length.
    """
    spans = [word_spans(text, max_spans) for text in texts]
    rows = iter(scorer.score([variant for text, cuts in zip(texts, spans, strict=True) if cuts
                              for variant in (text, *_variants(text, cuts))]))
    explained: list[list[dict[str, float]]] = []
    for cuts in spans:
        if not cuts:
            explained.append([])
            continue
        score = next(rows)[label]
        explained.append(_weigh(cuts, score, [next(rows) for _ in cuts], label))
    return explained


def _variants(text: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    """``text`` without each span in turn."""
    return [text[:start] + text[end:] for start, end in spans]


def _weigh(spans: Sequence[tuple[int, int]], score: float,
           variants: Sequence[dict[str, float]], label: str) -> list[dict[str, float]]:
    """The spans whose removal lowers ``score`` by ``MIN_WEIGHT`` or more, strongest first."""
    weighed = [{"start": start, "end": end, "weight": round(score - row[label], 4)}
               for (start, end), row in zip(spans, variants, strict=True)]
    return sorted((span for span in weighed if span["weight"] >= MIN_WEIGHT),
                  key=lambda span: -span["weight"])
