"""Scoring backends and batching: faster paths that keep the scores (and so the decisions)."""

from __future__ import annotations

import pytest

from service.config import load_config
from workers.scoring.batching import length_batches
from workers.scoring.scorer import ModelUnavailable, load_scorer

TEXTS = [
    "Thanks for the balanced report on the bridge repairs.",
    "Short.",
    ("I was at the council meeting last week, and the budget numbers in the third paragraph "
     "deserve a closer look before the vote; small businesses will feel it first."),
    "Does anyone know when the final decision is expected?",
]


def config(tiny_model: dict[str, str], **overrides) -> dict:
    return load_config({}) | {"TORCH_THREADS": 1, "SCORING_BATCH_SIZE": 2} | tiny_model | overrides


@pytest.mark.parametrize(("lengths", "max_size", "max_tokens"), [
    ([5, 1, 9, 3, 3, 7, 2], 3, 100),
    ([5, 1, 9, 3, 3, 7, 2], 10, 12),
    ([40, 2, 3], 8, 16),
    ([], 4, 64),
])
def test_length_batches_take_each_text_once_shortest_first_within_limits(lengths, max_size,
                                                                         max_tokens):
    batches = list(length_batches(lengths, max_size, max_tokens))

    assert sorted(index for batch in batches for index in batch) == list(range(len(lengths)))
    flat = [lengths[index] for batch in batches for index in batch]
    assert flat == sorted(flat)
    for batch in batches:
        assert len(batch) <= max_size
        longest = max(lengths[index] for index in batch)
        assert len(batch) == 1 or len(batch) * longest <= max_tokens


def test_the_batched_scorer_matches_detoxify_one_text_at_a_time(tiny_model):
    scorer = load_scorer(config(tiny_model, SCORER_BACKEND="torch"))

    batched = scorer.score(TEXTS)

    alone = [scorer.detoxify.predict(text) for text in TEXTS]
    for mine, theirs in zip(batched, alone, strict=True):
        assert mine == pytest.approx(theirs, abs=1e-5)


def test_the_fast_tokenizer_gives_the_slow_one_s_token_ids(tiny_model):
    scorer = load_scorer(config(tiny_model, SCORER_BACKEND="torch"))

    assert scorer.tokenizer.is_fast
    assert (scorer.tokenizer(TEXTS, truncation=True)["input_ids"]
            == scorer.detoxify.tokenizer(TEXTS, truncation=True)["input_ids"])


def test_int8_scores_close_to_fp32_and_says_so_in_the_model_id(tiny_model):
    fp32 = load_scorer(config(tiny_model, SCORER_BACKEND="torch"))
    int8 = load_scorer(config(tiny_model, SCORER_BACKEND="int8"))

    assert int8 is not fp32
    assert int8.model_id == f"{fp32.model_id}+int8"
    assert int8.labels == fp32.labels
    for fast, plain in zip(int8.score(TEXTS), fp32.score(TEXTS), strict=True):
        assert fast == pytest.approx(plain, abs=0.02)


def test_an_unknown_backend_names_the_setting(tiny_model):
    with pytest.raises(ModelUnavailable, match="SCORER_BACKEND='tensorrt'"):
        load_scorer(config(tiny_model, SCORER_BACKEND="tensorrt"))
