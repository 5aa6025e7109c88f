"""The token ids of texts, with a BERT tokenizer's normaliser done in Python for ASCII text.

A BERT tokenizer (``BertNormalizer``: clean the text, fold case, strip accents, space
out CJK characters) spent about 40% of its time normalising, in Unicode's terms (each
character's decomposition and category) however plain the text: 35-40 µs of a
400-character comment. On ASCII text the same steps come down to two: control
characters dropped, tab, line feed and carriage return made spaces (``clean_text``),
and letters lowered (``lowercase``); accents and CJK characters do not occur. Python
does those in about a microsecond, and a copy of the tokenizer without its normaliser
takes the result. Other texts, and tokenizers of other kinds, go through the tokenizer
whole. The ids are the same (tests/workers/scoring/test_token_ids.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_CONTROLS = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]
"""The ASCII control characters but tab, line feed and carriage return (category Cc)."""
_CLEAN = str.maketrans({**dict.fromkeys(_CONTROLS), 0x09: " ", 0x0A: " ", 0x0D: " "})


class TokenIds:
    """``tokenizer``'s ids of each text, with the truncation it has when this is made."""

    def __init__(self, tokenizer: Any) -> None:
        from tokenizers import Tokenizer, normalizers

        self.tokenizer = tokenizer
        self.plain: Any = None
        normaliser = tokenizer.normalizer
        if isinstance(normaliser, normalizers.BertNormalizer):
            self.clean, self.lower = normaliser.clean_text, normaliser.lowercase
            self.plain = Tokenizer.from_str(tokenizer.to_str())
            self.plain.normalizer = normalizers.Sequence([])

    def __call__(self, texts: Sequence[str]) -> list[list[int]]:
        if self.plain is None:
            return _ids(self.tokenizer, texts)
        plain = [text.isascii() for text in texts]
        normalised = iter(_ids(self.plain, [self._normalised(text) for text, is_plain
                                            in zip(texts, plain, strict=True) if is_plain]))
        whole = iter(_ids(self.tokenizer, [text for text, is_plain
                                           in zip(texts, plain, strict=True) if not is_plain]))
        return [next(normalised) if is_plain else next(whole) for is_plain in plain]

    def _normalised(self, text: str) -> str:
        """What the ``BertNormalizer`` makes of ASCII ``text``."""
        text = text.translate(_CLEAN) if self.clean else text
        return text.lower() if self.lower else text


def _ids(tokenizer: Any, texts: Sequence[str]) -> list[list[int]]:
    # Ids only: offsets are not needed (about 15% of the tokenizer's time).
    return [encoding.ids for encoding in tokenizer.encode_batch_fast(list(texts))] if texts else []
