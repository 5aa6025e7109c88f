"""Near-duplicate text: MinHash fingerprints of a comment's normalised text.

A fingerprint is the MinHash (``datasketch``) of the text's character 5-grams, taken
from its skeleton (``service.text``: case, invisible characters and look-alike
letters folded) with links cut down to their host, so that the same advert posted
with a changed word, other spacing or another tracking link still matches. Stored
with each comment (``PREFIX`` and 64 x 32 bits), two fingerprints estimate the
Jaccard similarity of the texts' 5-gram sets.

The 5-grams are hashed by MurmurHash3 (``mmh3``), a fast non-cryptographic hash, which
is all MinHash needs (datasketch's scheme mixes each hash again before permuting
it); datasketch's default, SHA-1, took twice as long as everything else in a
fingerprint. Fingerprints taken with SHA-1, before ``PREFIX`` was, do not compare
with these: ``is_current`` tells them apart, and the near-duplicate screen takes them
again from their comments' text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import mmh3
import numpy as np
from datasketch import MinHash

from service.comments.links import links_in, readable
from service.text import skeleton

NUM_PERM = 64
SHINGLE = 5
_SEED = 20261204
_NOT_WORD = re.compile(r"[^\w]+")


SCHEME = "affine32"
"""datasketch's hashing scheme, named so that stored fingerprints stay comparable."""
PREFIX = b"mm3\x01"
"""What every fingerprint starts with: its 5-grams were hashed by MurmurHash3 (seed 0)."""
SIZE = len(PREFIX) + NUM_PERM * 4


def _murmur3(shingle: str) -> int:
    return mmh3.hash(shingle, 0, False)


@functools.cache
def _empty() -> MinHash:
    """A MinHash with no 5-gram yet, whose permutations each fingerprint copies."""
    return MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=SCHEME, hashfunc=_murmur3)


def comparable_text(text: str) -> str:
    """The form fingerprints are taken of: links as their host, the skeleton's words."""
    readable_text = readable(text)
    pieces, last = [], 0
    for link in links_in(readable_text):
        pieces.append(readable_text[last:link.start])
        pieces.append(f" {link.host} ")
        last = link.end
    pieces.append(readable_text[last:])
    return " ".join(_NOT_WORD.sub(" ", skeleton("".join(pieces))).split())


def _shingles(text: str) -> set[str]:
    comparable = comparable_text(text)
    return {comparable[index:index + SHINGLE]
            for index in range(max(1, len(comparable) - SHINGLE + 1))}


def fingerprints(texts: Sequence[str]) -> list[bytes]:
    """The MinHash fingerprint of each of ``texts``: ``PREFIX``, then ``NUM_PERM``
    little-endian uint32."""
    empty = _empty()
    minhashes = []
    for text in texts:
        minhash = empty.copy()
        minhash.update_batch(_shingles(text))
        minhashes.append(minhash)
    return [PREFIX + minhash.hashvalues.astype("<u4").tobytes() for minhash in minhashes]


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
