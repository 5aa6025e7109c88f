"""Cutting a comment into sentences, for Perspective's per-sentence span scores."""

from __future__ import annotations

import re

MAX_SPANS = 32
"""Most sentences scored on their own; the rest of a longer text is one last span."""

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+|\n\s*")


def sentence_spans(text: str, limit: int = MAX_SPANS) -> list[tuple[int, int]]:
    """The ``(begin, end)`` character offsets of each sentence of ``text``.

    The spans are contiguous and cover the whole text: a sentence's span runs up to
    the next one's start, so that it holds its trailing spaces. A text with no
    sentence end is one span.
    """
    starts = [0]
    for match in _SENTENCE_END.finditer(text):
        if match.end() < len(text) and text[starts[-1]:match.end()].strip():
            starts.append(match.end())
    starts = starts[:limit]
    ends = [*starts[1:], len(text)]
    return list(zip(starts, ends, strict=True))
