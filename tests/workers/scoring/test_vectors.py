"""Sentence vectors: the same forward pass gives them beside the scores, on every backend,
and the layer is a setting; an export without them is made again."""

from __future__ import annotations

import json
import shutil

import numpy as np

from service.config import load_config
from service.moderation.learning.vectors import dequantise, quantise
from workers.scoring.export import export
from workers.scoring.ort import STAMP_FILE, onnx_dir, valid_export
from workers.scoring.scorer import load_scorer
from workers.scoring.vectors import effective_layer

TEXTS = ["Thanks for the balanced report on the bridge repairs.", "Short.",
         "I was at the council meeting last week, and the budget numbers deserve a look. " * 8,
         ""]


def config(model: dict[str, str], **overrides) -> dict:
    return load_config({}) | {"TORCH_THREADS": 1, "SCORING_BATCH_SIZE": 2} | model | overrides


def test_every_backend_gives_the_masked_mean_of_the_chosen_layer_from_the_scoring_pass(
        tiny_model):
    torch_scorer = load_scorer(config(tiny_model, SCORER_BACKEND="torch"))
    scores, layers = torch_scorer.score_layers(TEXTS)
    assert layers.shape == (len(TEXTS), 2, 32)  # the tiny model: two layers of 32
    assert scores == torch_scorer.score(TEXTS)
    # by hand: the hidden state of layer 2 averaged over the real tokens (no padding)
    import torch

    inputs = torch_scorer.tokenizer([TEXTS[1]], return_tensors="pt")
    with torch.inference_mode():
        hidden = torch_scorer.model(**inputs, output_hidden_states=True).hidden_states[2]
    assert np.allclose(hidden[0].mean(dim=0).numpy(), layers[1, 1], atol=1e-5)

    for backend, tolerance in (("onnx", 1e-4), ("onnx-int8", 0.05)):
        scorer = load_scorer(config(tiny_model, SCORER_BACKEND=backend))
        onnx_scores, vectors = scorer.score_and_embed(TEXTS)
        assert vectors.shape == (len(TEXTS), 32)
        assert np.abs(vectors - layers[:, 1]).max() <= tolerance * np.abs(layers).max()
        assert onnx_scores == scorer.score(TEXTS)
        assert scorer.vector_space == torch_scorer.vector_space  # the backend is not part
    first = load_scorer(config(tiny_model, SCORER_BACKEND="onnx", SENTENCE_VECTOR_LAYER=1))
    assert first.vector_space.endswith("/layer1") and torch_scorer.vector_space.endswith(
        "/layer2"), "the default (6) is the tiny model's last layer, 2"
    assert np.allclose(first.score_and_embed(TEXTS)[1], layers[:, 0], atol=1e-4)


def test_an_export_without_the_vectors_output_is_made_again(tiny_model, tmp_path):
    checkpoint = tmp_path / "model.ckpt"
    shutil.copy(tiny_model["MODERATION_MODEL"], checkpoint)
    folder = export(checkpoint, tiny_model["MODERATION_MODEL_CONFIG"], tmp_path / "cache")
    assert folder == onnx_dir(checkpoint, tmp_path / "cache") and valid_export(folder, checkpoint)
    stamp = json.loads((folder / STAMP_FILE).read_text())
    assert stamp["outputs"] == ["logits", "vectors"] and stamp["layers"] == 2
    del stamp["outputs"]  # as an export made before vectors were
    (folder / STAMP_FILE).write_text(json.dumps(stamp))
    assert not valid_export(folder, checkpoint)


def test_a_vector_is_stored_in_a_byte_per_dimension_and_restored_within_half_a_step():
    vector = np.random.default_rng(0).normal(size=384).astype(np.float32)
    data, scale = quantise(vector)
    assert len(data) == 384 and scale == np.abs(vector).max() / 127
    assert np.abs(dequantise(data, scale) - vector).max() <= scale / 2 + 1e-7
    assert dequantise(*quantise(np.zeros(4))).tolist() == [0, 0, 0, 0]


def test_a_layer_beyond_the_model_is_its_last():
    assert (effective_layer(4, 6), effective_layer(4, 2), effective_layer(0, 6)) == (4, 2, 1)
