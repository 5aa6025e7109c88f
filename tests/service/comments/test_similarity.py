"""Near-duplicate fingerprints (``service.comments.similarity``): what they estimate, that
the batch computes datasketch's MinHash exactly, and that the banded comparison is exact."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash
from hypothesis import given
from hypothesis import strategies as st

from service.comments.similarity import (
    NUM_PERM,
    PREFIX,
    _all_pairs,
    comparable_text,
    fingerprint,
    fingerprints,
    similar_pairs,
    similarities,
)

ADVERT = ("Earn $5000 a week working from home on your laptop! Details and sign-up: "
          "https://easy-cash.biz/ref=123")


def minhash_of(text: str) -> bytes:
    """The fingerprint as its definition reads: one datasketch MinHash of the text's 5-gram
    hashes, each ``sum(code point * base ** place)`` modulo 2**64, halves xor-ed."""
    points = [ord(char) for char in comparable_text(text)]
    width = min(5, len(points))
    hashes = []
    for start in range(len(points) - width + 1):
        value = 0
        for point in points[start:start + width]:
            value = (value * 0x9E3779B97F4A7C15 + point) % 2**64
        hashes.append((value ^ (value >> 32)) & 0xFFFFFFFF)
    minhash = MinHash(num_perm=NUM_PERM, seed=20261204, scheme="affine32", hashfunc=int)
    minhash.update_batch(hashes)
    return PREFIX + minhash.hashvalues.astype("<u4").tobytes()


TEXTS = st.text(st.characters(codec=None, exclude_categories=()), max_size=60) | st.text(
    "ab cdé\u0430.\u200b", max_size=12)


@given(st.lists(TEXTS, max_size=8))
def test_a_batch_of_fingerprints_is_datasketchs_minhash_of_each_text(texts):
    """Short texts (one hash of all of it), empty ones, lone surrogates, NUL and texts of
    every script, in any batch."""
    assert fingerprints(texts) == [minhash_of(text) for text in texts]


def test_texts_longer_than_a_chunk_of_hashes_are_fingerprinted_alike():
    """The permutations run on a chunk of hashes at a time; a text may fill several."""
    texts = ["word " * 5000, ADVERT, "other words " * 3000, "short"]
    assert fingerprints(texts) == [minhash_of(text) for text in texts]


def test_near_duplicates_are_similar_and_other_texts_are_not():
    one = fingerprint(ADVERT)
    variant = fingerprint(ADVERT.upper().replace("5000", "6000").replace("123", "999"))
    other = fingerprint("The council should publish the library's budget before the vote.")
    scores = similarities(one, [variant, other])
    assert scores[0] >= 0.6 > 0.3 >= scores[1]
    assert one.startswith(PREFIX) and len(one) == len(PREFIX) + 64 * 4


@given(st.data())
def test_the_banded_comparison_finds_every_pair_the_full_one_finds(data):
    """``similar_pairs`` compares in full only the rows that share a band, or else those
    whose values' low bytes are equal often enough: it must find exactly the pairs that
    comparing every row with every earlier one finds, whichever way it takes."""
    rows = data.draw(st.integers(1, 40))
    first = data.draw(st.integers(0, rows - 1))
    needed = data.draw(st.integers(20, NUM_PERM))
    # Few distinct values, some of them alike in their low byte, and rows copied from
    # earlier ones with some values changed, so that near pairs at every distance from
    # the threshold come up.
    values = st.sampled_from([0, 1, 2, 3, 0x100, 0x10001, 0xFFFFFF03])
    stacked = np.array(data.draw(st.lists(st.lists(values, min_size=NUM_PERM,
                                                   max_size=NUM_PERM),
                                          min_size=rows, max_size=rows)), dtype="<u4")
    for row in range(1, rows):
        if data.draw(st.booleans()):
            changed = data.draw(st.lists(st.integers(0, NUM_PERM - 1), max_size=NUM_PERM))
            stacked[row] = stacked[data.draw(st.integers(0, row - 1))]
            stacked[row, changed] = 7
    full = sorted((i, j, int(equal[j])) for i in range(first, rows)
                  for equal in [(stacked[:i] == stacked[i]).sum(axis=1)]
                  for j in np.flatnonzero(equal >= needed))
    later, earlier, equal = (part.tolist() for part in similar_pairs(stacked, first, needed))
    assert sorted(zip(later, earlier, equal, strict=True)) == full
    every_pair = set(zip(*(part.tolist() for part in _all_pairs(stacked, first, needed)),
                         strict=True))
    assert {(i, j) for i, j, _ in full} <= every_pair


