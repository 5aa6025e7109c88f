"""The scorer loads Detoxify checkpoints offline, batches by length, and explains failures."""

from __future__ import annotations

import pytest

from service.config import load_config
from workers.scoring.scorer import ModelUnavailable, load_scorer


def config(**overrides) -> dict:
    return load_config({}) | {"TORCH_THREADS": 1, "SCORING_BATCH_SIZE": 3} | overrides


def test_a_local_checkpoint_loads_once_and_scores_in_the_order_given(tiny_model):
    # fp32, where a text scores the same in any batch; int8 (the default, the same code
    # but for the graph) quantises each batch's activations, so its scores move slightly.
    settings = config(**tiny_model, SCORER_BACKEND="onnx")
    scorer = load_scorer(settings)
    texts = ["a much longer comment than the others, with many words in it", "short", "mid one"]

    scores = scorer.score(texts)

    assert load_scorer(settings) is scorer
    assert scorer.labels == ("toxicity", "severe_toxicity", "obscene", "threat", "insult",
                             "identity_attack")
    assert [set(row) for row in scores] == [set(scorer.labels)] * 3
    assert all(0.0 <= value <= 1.0 for row in scores for value in row.values())
    one_by_one = [scorer.score([text])[0] for text in texts]
    for batched, alone in zip(scores, one_by_one, strict=True):
        assert batched == pytest.approx(alone, abs=1e-5)


def test_invisible_characters_and_compatibility_forms_do_not_change_a_score(tiny_model):
    scorer = load_scorer(config(**tiny_model))

    fullwidth_idiot = "\uff49\uff44\uff49\uff4f\uff54"
    plain, hidden, fullwidth = scorer.score(
        ["you are an idiot", "you are an id\u200bi\u00adot", f"you are an {fullwidth_idiot}"])

    assert hidden == pytest.approx(plain, abs=1e-6)
    assert fullwidth == pytest.approx(plain, abs=1e-6)


def test_a_missing_checkpoint_says_what_to_set(tmp_path):
    with pytest.raises(ModelUnavailable, match="is neither a"):
        load_scorer(config(MODERATION_MODEL=str(tmp_path / "missing.ckpt")))


def test_a_config_folder_without_config_json_says_what_it_must_hold(tiny_model, tmp_path):
    with pytest.raises(ModelUnavailable, match=r"config\.json"):
        load_scorer(config(MODERATION_MODEL=tiny_model["MODERATION_MODEL"],
                           MODERATION_MODEL_CONFIG=str(tmp_path)))


def test_a_file_that_is_no_checkpoint_is_reported(tiny_model, tmp_path):
    bogus = tmp_path / "bogus.ckpt"
    bogus.write_bytes(b"not a checkpoint")

    with pytest.raises(ModelUnavailable, match="could not be loaded"):
        load_scorer(config(MODERATION_MODEL=str(bogus),
                           MODERATION_MODEL_CONFIG=tiny_model["MODERATION_MODEL_CONFIG"]))
