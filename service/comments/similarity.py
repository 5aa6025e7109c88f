"""Near-duplicate text: MinHash fingerprints of a comment's normalised text.

A fingerprint is the MinHash (``datasketch``) of the text's character 5-grams, taken
from its skeleton (``service.text``: case, invisible characters and look-alike
letters folded) with links cut down to their host, so that the same advert posted
with a changed word, other spacing or another tracking link still matches. Stored
with each comment (64 x 32 bits), two fingerprints estimate the Jaccard similarity
of the texts' 5-gram sets.
"""

from __future__ import annotations

import functools
import re

import numpy as np
from datasketch import MinHash

from service.comments.links import find_links, readable
from service.text import skeleton

NUM_PERM = 64
SHINGLE = 5
_SEED = 20261204
_NOT_WORD = re.compile(r"[^\w]+")


SCHEME = "affine32"
"""datasketch's hashing scheme, named so that stored fingerprints stay comparable."""


@functools.cache
def _permutations() -> np.ndarray:
    return MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=SCHEME).permutations


def comparable_text(text: str) -> str:
    """The form fingerprints are taken of: links as their host, the skeleton's words."""
    readable_text = readable(text)
    pieces, last = [], 0
    for link in find_links(text):
        pieces.append(readable_text[last:link.start])
        pieces.append(f" {link.host} ")
        last = link.end
    pieces.append(readable_text[last:])
    return " ".join(_NOT_WORD.sub(" ", skeleton("".join(pieces))).split())


def fingerprint(text: str) -> bytes:
    """The MinHash fingerprint of ``text`` (``NUM_PERM`` little-endian uint32)."""
    comparable = comparable_text(text)
    shingles = {comparable[index:index + SHINGLE]
                for index in range(max(1, len(comparable) - SHINGLE + 1))}
    minhash = MinHash(num_perm=NUM_PERM, permutations=_permutations(), scheme=SCHEME)
    minhash.update_batch([shingle.encode("utf-8") for shingle in shingles])
    return minhash.hashvalues.astype("<u4").tobytes()


def similarities(one: bytes, others: list[bytes]) -> np.ndarray:
    """The estimated Jaccard similarity of ``one`` with each of ``others`` (0 to 1)."""
    if not others:
        return np.zeros(0)
    wanted = np.frombuffer(one, dtype="<u4")
    stacked = np.frombuffer(b"".join(others), dtype="<u4").reshape(len(others), -1)
    return (stacked == wanted).mean(axis=1)
