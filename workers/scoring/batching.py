"""Grouping texts into batches of similar length, so that little time goes on padding."""

from __future__ import annotations

from collections.abc import Iterator, Sequence


def length_batches(lengths: Sequence[int], max_size: int, max_tokens: int) -> Iterator[list[int]]:
    """Indices of ``lengths`` in batches of similar length, shortest first.

    A batch holds at most ``max_size`` items, and at most ``max_tokens`` tokens once
    padded to its longest item; an item longer than ``max_tokens`` has a batch of its own.

    Args:
        lengths: each text's length in tokens.
        max_size: the most items in one batch (at least 1).
        max_tokens: the most padded tokens in one batch.
    """
    batch: list[int] = []
    for index in sorted(range(len(lengths)), key=lengths.__getitem__):
        # Sorted ascending, so the item being added is the batch's longest.
        if batch and (len(batch) >= max_size or (len(batch) + 1) * lengths[index] > max_tokens):
            yield batch
            batch = []
        batch.append(index)
    if batch:
        yield batch
