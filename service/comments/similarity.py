"""Near-duplicate text: MinHash fingerprints of a comment's normalised text.

A fingerprint is the MinHash (``datasketch``) of the text's character 5-grams, taken
from its skeleton (``service.text``: case, invisible characters and look-alike
letters folded) with links cut down to their host, so that the same advert posted
with a changed word, other spacing or another tracking link still matches. Stored
with each comment (``PREFIX`` and 64 x 32 bits), two fingerprints estimate the
Jaccard similarity of the texts' 5-gram sets.

The 5-grams are hashed all at once, as numbers: a polynomial of their five code
points (modulo 2**64, folded to 32 bits), which is all MinHash needs, as datasketch's
scheme mixes each hash again before permuting it. Slicing the text into 5-gram strings
and hashing each (MurmurHash3, the kind before ``PREFIX`` ``cp5``; SHA-1, the kind
before that) took most of a fingerprint's time; so did a MinHash object per text, where
the hashes of a whole batch are now permuted at once (``fingerprints``: the same values).
Fingerprints of an older kind do not compare with these: ``is_current`` tells them
apart, and the near-duplicate screen takes them again from their comments' text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import numpy as np
from datasketch import MinHash
from datasketch.minhash import _fmix  # pinned; test_similarity holds it to MinHash

from service.comments.links import links_in, readable
from service.text import skeleton

NUM_PERM = 64
SHINGLE = 5
_SEED = 20261204
_WORD = re.compile(r"\w+")


SCHEME = "affine32"
"""datasketch's hashing scheme, named so that stored fingerprints stay comparable."""
PREFIX = b"cp5\x01"
"""What every fingerprint starts with: its 5-grams were hashed as code points (``_hashes``)."""
SIZE = len(PREFIX) + NUM_PERM * 4
_CHUNK = 16384
"""How many 5-gram hashes are permuted at once (times ``NUM_PERM`` values: 4 MB)."""
_BYTES = np.uint64(0x0101010101010101)
"""Times a word of byte counts, its top byte is their sum."""
_BASE = np.uint64(0x9E3779B97F4A7C15)
"""The polynomial's base (odd, so that no code point's weight vanishes modulo 2**64)."""


@functools.cache
def _empty() -> MinHash:
    """The MinHash whose permutations every fingerprint takes (``fingerprints``)."""
    return MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=SCHEME, hashfunc=int)


def comparable_text(text: str) -> str:
    """The form fingerprints are taken of: links as their host, the skeleton's words."""
    readable_text = readable(text)
    pieces, last = [], 0
    for link in links_in(readable_text):
        pieces.append(readable_text[last:link.start])
        pieces.append(f" {link.host} ")
        last = link.end
    pieces.append(readable_text[last:])
    return " ".join(_WORD.findall(skeleton("".join(pieces))))


def _hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The 32-bit hash of each 5-gram of each text's ``comparable_text``, all texts end to
    end, and how many each text has: ``sum(code point * _BASE ** place)`` modulo 2**64,
    its halves xor-ed. A text shorter than a 5-gram has one, of all of it: it is
    left-padded with code point 0, which adds nothing to the polynomial."""
    encoded = [comparable_text(text).encode("utf-32-le", "surrogatepass") for text in texts]
    encoded = [bytes(max(0, 4 * SHINGLE - len(points))) + points for points in encoded]
    lengths = np.fromiter((len(points) // 4 for points in encoded), dtype=np.intp,
                          count=len(encoded))
    points = np.frombuffer(b"".join(encoded), dtype="<u4")
    windows = len(points) - SHINGLE + 1
    hashes = np.zeros(windows, dtype=np.uint64)
    for place in range(SHINGLE):
        hashes = hashes * _BASE + points[place:windows + place]
    # Keep the 5-grams that lie within one text.
    text_of = np.repeat(np.arange(len(encoded)), lengths)
    hashes = hashes[text_of[:windows] == text_of[SHINGLE - 1:]]
    folded = (hashes ^ (hashes >> np.uint64(32))).astype(np.uint32)
    return folded, lengths - SHINGLE + 1


def fingerprints(texts: Sequence[str]) -> list[bytes]:
    """The MinHash fingerprint of each of ``texts``: ``PREFIX``, then ``NUM_PERM``
    little-endian uint32.

    The values are datasketch's (``MinHash.update_batch`` of ``scheme="affine32"``: its
    premix of each hash, then its permutations), computed for all texts at once: a
    MinHash per text spent most of its time in Python, and permuting the hashes of a
    whole batch, one permutation a row, is about ten times as fast. The permutations
    run on ``_CHUNK`` hashes at a time, so that a batch of long texts needs little memory.
    """
    if not texts:
        return []
    hashes, counts = _hashes(texts)
    mixed = _fmix(hashes, 32)
    multipliers, offsets = _empty().permutations
    ends = np.cumsum(counts)
    starts = ends - counts
    values = np.empty((len(texts), NUM_PERM), dtype="<u4")
    first = 0
    while first < len(texts):
        last = max(first + 1, int(np.searchsorted(ends, starts[first] + _CHUNK, "right")))
        low, high = starts[first], ends[last - 1]
        # One row a permutation, so that each text's minimum is taken along a row.
        permuted = np.multiply.outer(multipliers, mixed[low:high])
        permuted += offsets[:, None]
        values[first:last] = np.minimum.reduceat(permuted, starts[first:last] - low, axis=1).T
        first = last
    return [PREFIX + row.tobytes() for row in values]


def fingerprint(text: str) -> bytes:
    """The MinHash fingerprint of ``text`` (see ``fingerprints``)."""
    return fingerprints([text])[0]


def is_current(stored: bytes | None) -> bool:
    """Whether ``stored`` is a fingerprint of this kind (not None, nor one taken with SHA-1)."""
    return stored is not None and len(stored) == SIZE and stored.startswith(PREFIX)


def matrix(prints: Sequence[bytes]) -> np.ndarray:
    """Fingerprints (current ones) as the rows of one ``(len(prints), NUM_PERM)`` matrix."""
    if not prints:
        return np.zeros((0, NUM_PERM), dtype="<u4")
    stacked = np.frombuffer(b"".join(prints), dtype="<u4").reshape(len(prints), -1)
    return stacked[:, len(PREFIX) // 4:]


def similarities(one: bytes, others: list[bytes]) -> np.ndarray:
    """The estimated Jaccard similarity of ``one`` with each of ``others`` (0 to 1)."""
    if not others:
        return np.zeros(0)
    return (matrix(others) == matrix([one])[0]).mean(axis=1)


def needed_equal(similarity: float) -> int:
    """The fewest equal hash values out of ``NUM_PERM`` that reach ``similarity``."""
    return next(count for count in range(NUM_PERM + 1)
                if count / NUM_PERM >= similarity or count == NUM_PERM)


def similar_pairs(stacked: np.ndarray, first: int, needed: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row ``i >= first`` of ``stacked`` (a ``matrix``) with each earlier row ``j < i``
    that has at least ``needed`` of its ``NUM_PERM`` hash values equal: ``(i, j, equal)``."""
    later, earlier = _banded_pairs(stacked, first, needed) or _all_pairs(stacked, first, needed)
    equal = (stacked[later] == stacked[earlier]).sum(axis=1)
    keep = equal >= needed
    return later[keep], earlier[keep], equal[keep]


def _banded_pairs(stacked: np.ndarray, first: int, needed: int
                  ) -> tuple[np.ndarray, np.ndarray] | None:
    """The pairs of ``similar_pairs`` that may have ``needed`` equal values, found without
    comparing every pair in full; None when that would not pay.

    Exact: two rows with ``needed`` equal values differ in at most ``NUM_PERM - needed``,
    so of ``NUM_PERM - needed + 1`` disjoint bands of positions at least one is equal
    whole (pigeonhole). Rows are grouped by each band's values (sorted once a band), and
    only the pairs that share a band are compared in full. On varied comments few do
    (2,128 news comments: 5 ms against 12 for every pair); but bands of single values
    (a low ``needed``) or texts that share most of their words (a campaign, templates)
    give so many pairs that comparing every pair is cheaper.
    """
    rows = stacked.shape[0]
    bands = NUM_PERM - needed + 1
    if 2 * bands > NUM_PERM:
        return None
    found, budget = [], (rows - first) * rows // 32
    for columns in np.array_split(np.arange(NUM_PERM), bands):
        found.append(_sharing_a_band(stacked, first, columns))
        budget -= len(found[-1])
        if budget < 0:
            return None
    later, earlier = np.divmod(np.unique(np.concatenate(found)), rows)
    return later.astype(np.intp), earlier.astype(np.intp)


def _all_pairs(stacked: np.ndarray, first: int, needed: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs that may be ``similar_pairs``, each row compared with every earlier one by
    the low byte of its values: equal values have equal low bytes, so no pair is missed,
    and a quarter of the bytes are read. The bytes found equal (0 or 1 each) are added
    eight at a time, as the bytes of a 64-bit word (``NUM_PERM`` is a multiple of 8)."""
    low = stacked.astype(np.uint8)
    pairs = []
    for row in range(first, stacked.shape[0]):
        words = (low[:row] == low[row]).view(np.uint64)
        equal = (sum(words.T) * _BYTES) >> np.uint64(56)
        pairs.append(np.flatnonzero(equal >= needed) + row * stacked.shape[0])
    later, earlier = np.divmod(np.concatenate([np.zeros(0, np.int64), *pairs]),
                               stacked.shape[0])
    return later.astype(np.intp), earlier.astype(np.intp)


def _sharing_a_band(stacked: np.ndarray, first: int, columns: np.ndarray) -> np.ndarray:
    """``i * rows + j`` of the pairs ``j < i``, ``i >= first``, equal in ``columns``."""
    rows = stacked.shape[0]
    # One key a row for the band: equal values give equal keys (unequal ones rarely do,
    # and the full comparison drops them).
    keys = np.zeros(rows, dtype=np.uint64)
    for column in columns:
        keys = keys * np.uint64(0x9E3779B97F4A7C15) + stacked[:, column].astype(np.uint64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    low = np.searchsorted(ordered, keys[first:], "left")
    counts = np.searchsorted(ordered, keys[first:], "right") - low
    # Each later row's group, laid end to end: the positions low .. low + count.
    starts = np.repeat(low - (np.cumsum(counts) - counts), counts)
    earlier = order[starts + np.arange(counts.sum())]
    later = np.repeat(np.arange(first, rows), counts)
    keep = earlier < later
    return later[keep].astype(np.int64) * rows + earlier[keep]
