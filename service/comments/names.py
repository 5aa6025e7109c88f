"""An author's name as the posting rules compare it: a key of its skeleton."""

from __future__ import annotations

import functools
import hashlib

from service.text import skeleton


@functools.lru_cache(maxsize=8192)
def author_key(name: str) -> str:
    """A hash of the name's skeleton (32 hex): "Ana", "ANA" and "Ana" written with a Cyrillic
    "A" have one key. Stored with each comment and indexed; names recur, so keys are cached."""
    return hashlib.sha256(skeleton(name).encode()).hexdigest()[:32]
