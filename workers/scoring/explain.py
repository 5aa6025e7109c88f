"""Which words drove a held comment's toxicity: occlusion, one extra forward pass.

Each word (or, in a long comment, each run of neighbouring words) is left out in turn;
its weight is how much the calibrated ``toxicity`` falls without it. All the variants
of one comment are scored together, as one batch.
"""

from __future__ import annotations

import re
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
    variants = scorer.score([text[:start] + text[end:] for start, end in spans])
    weighed = [{"start": start, "end": end, "weight": round(score - row[label], 4)}
               for (start, end), row in zip(spans, variants, strict=True)]
    return sorted((span for span in weighed if span["weight"] >= MIN_WEIGHT),
                  key=lambda span: -span["weight"])
