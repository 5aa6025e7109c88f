"""The scorer: Detoxify behind a small interface.

This module (with the model tools in ``modelkit``) is the only place
that knows torch and Detoxify. A worker loads its scorer once, at start, and keeps
it for every job it runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from service.text import model_text
from workers.scoring.backends import BACKENDS, prepare
from workers.scoring.batching import length_batches
from workers.scoring.calibration import Calibration
from workers.scoring.errors import ModelUnavailable
from workers.scoring.ort import ONNX_BACKENDS
from workers.scoring.vectors import DEFAULT_LAYER, LayeredScores, effective_layer, space

__all__ = ["DetoxifyScorer", "ModelUnavailable", "Scorer", "load_scorer", "unload_scorers"]

log = logging.getLogger(__name__)

DETOXIFY_VARIANTS = ("original", "unbiased", "multilingual", "original-small", "unbiased-small")

MAX_BATCH_TOKENS = 256
"""Most padded tokens in one forward pass, so that short texts do not carry a long one's
padding; a text longer than this gets a batch of its own. Small on purpose: on a CPU a
forward pass whose activations stay in the caches is faster per token than a big one
(MiniLM, one thread, comments of 10-120 words: ONNX fp32 45 comments per CPU-second
at 128-256 tokens, 38 at 512, 21 at 4,096; docs/performance.md)."""


class Scorer(Protocol):
    """Scores texts for toxicity, one ``{label: probability}`` per text."""

    name: str
    version: str
    labels: tuple[str, ...]

    @property
    def model_id(self) -> str: ...

    @property
    def vector_space(self) -> str: ...

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]: ...

    def score_and_embed(self, texts: Sequence[str]) -> tuple[list[dict[str, float]], Any]: ...


class DetoxifyScorer(LayeredScores):
    """A loaded Detoxify model that scores in batches of similar length.

    Texts are sorted by token count and cut into batches of at most ``batch_size``
    texts and ``max_batch_tokens`` padded tokens, so that little time goes on padding;
    the scores come back in the order of the texts given. Each text is first normalised
    (``service.text.model_text``), so that invisible characters hide no word. ``backend``
    is how the model
    runs (``workers.scoring.backends``). With a ``calibration``, the scores are its
    calibrated probabilities rather than the model's raw ones.
    """

    def __init__(self, detoxify: Any, name: str, version: str, batch_size: int = 32,
                 backend: str = "torch", max_batch_tokens: int = MAX_BATCH_TOKENS,
                 calibration: Calibration | None = None,
                 vector_layer: int = DEFAULT_LAYER) -> None:
        self.detoxify = detoxify
        self.name = name
        self.version = version
        self.batch_size = batch_size
        self.backend = backend
        self.max_batch_tokens = max_batch_tokens
        self.calibration = calibration
        self.labels = tuple(detoxify.class_names)
        detoxify.model.eval()
        self.tokenizer = fast_tokenizer(detoxify.tokenizer)
        self.layers = int(detoxify.model.config.num_hidden_layers)
        self.hidden = int(detoxify.model.config.hidden_size)
        self.layer = effective_layer(vector_layer, self.layers)
        self.model = prepare(detoxify.model, backend)

    @property
    def model_id(self) -> str:
        """Name and version, as recorded with each decision; ``+int8`` for the int8 backend."""
        suffix = "" if self.backend == "torch" else f"+{self.backend}"
        return f"{self.name}@{self.version}{suffix}"

    @property
    def vector_space(self) -> str:
        """What the sentence vectors it gives are comparable with (``vectors.space``)."""
        return space(self.name, self.version, self.layer)

    def score_layers(self, texts: Sequence[str]) -> tuple[list[dict[str, float]], Any]:
        """The scores and every encoder layer's mean-pooled state, ``(texts, layers,
        hidden)`` float32."""
        import numpy
        import torch

        results: list[dict[str, float]] = [{} for _ in texts]
        vectors = numpy.zeros((len(texts), self.layers, self.hidden), dtype=numpy.float32)
        if not texts:
            return results, vectors
        texts = [model_text(text) for text in texts]
        lengths = self.tokenizer(texts, truncation=True, return_length=True)["length"]
        with torch.inference_mode():
            for batch in length_batches(lengths, self.batch_size, self.max_batch_tokens):
                inputs = self.tokenizer([texts[index] for index in batch], truncation=True,
                                        padding=True, return_tensors="pt")
                inputs.pop("length", None)
                output = self.model(**inputs, output_hidden_states=True)
                probabilities = torch.sigmoid(output[0]).tolist()
                for index, row in zip(batch, probabilities, strict=True):
                    results[index] = dict(zip(self.labels, row, strict=True))
                mask = inputs["attention_mask"].unsqueeze(-1).to(torch.float32)
                count = mask.sum(dim=1).clamp(min=1.0)
                pooled = torch.stack([(state.float() * mask).sum(dim=1) / count
                                      for state in output.hidden_states[1:]], dim=1)
                vectors[batch] = pooled.numpy()
        return (self.calibration.apply_all(results) if self.calibration else results), vectors


def fast_tokenizer(tokenizer: Any) -> Any:
    """The Rust ("fast") version of a Hugging Face tokenizer, else ``tokenizer`` itself.

    Detoxify loads the pure-Python tokenizer, which takes a good share of the time for
    a small model; the fast one gives the same token ids.
    """
    if getattr(tokenizer, "is_fast", False):
        return tokenizer
    import transformers

    fast_class = getattr(transformers, f"{type(tokenizer).__name__}Fast", None)
    if fast_class is None:
        return tokenizer
    try:
        return fast_class.from_pretrained(tokenizer.name_or_path, local_files_only=True,
                                          model_max_length=tokenizer.model_max_length)
    except (OSError, ValueError) as error:
        log.info("keeping the slow tokenizer (%s)", error)
        return tokenizer


_loaded: dict[tuple, Any] = {}


def load_scorer(config: Mapping[str, Any]) -> Any:
    """The scorer that ``config`` names, loaded once per process.

    A ``DetoxifyScorer`` for the torch backends; for the ONNX ones an
    ``workers.scoring.ort.OnnxScorer``, loaded without importing torch.

    Raises:
        ModelUnavailable: with the reason and the setting to change.
    """
    backend = config.get("SCORER_BACKEND", "torch")
    key = (*(config[name] for name in (
        "MODERATION_MODEL", "MODERATION_MODEL_CONFIG", "MODERATION_MODEL_CACHE",
        "TORCH_THREADS", "SCORING_BATCH_SIZE")), backend,
        config.get("SENTENCE_VECTOR_LAYER", DEFAULT_LAYER))
    if backend not in (*BACKENDS, *ONNX_BACKENDS):
        raise ModelUnavailable(f"SCORER_BACKEND={backend!r} is not one of "
                               f"{', '.join((*BACKENDS, *ONNX_BACKENDS))}")
    if key not in _loaded:
        try:
            if backend in ONNX_BACKENDS:
                from workers.scoring.ort import load_onnx_scorer

                _loaded[key] = load_onnx_scorer(config, backend)
            else:
                configure_torch(config["TORCH_THREADS"])
                _loaded[key] = _load(config, backend)
        except ModelUnavailable:
            raise
        except Exception as error:  # any loading failure is reported alike
            raise ModelUnavailable(
                f"model {config['MODERATION_MODEL']!r} could not be loaded: "
                f"{error.__class__.__name__}: {error}. Check MODERATION_MODEL (a Detoxify "
                f"variant, a shipped model or a checkpoint path) and MODERATION_MODEL_CONFIG "
                f"(a local Hugging Face config and tokenizer folder for offline loading)."
            ) from error
    return _loaded[key]


def unload_scorers() -> None:
    """Forget every loaded scorer, so that its memory can be freed (benchmarks use it)."""
    _loaded.clear()


def configure_torch(threads: int) -> int:
    """Set torch's thread pools; BERT in forked workers deadlocks on an inherited pool.

    Args:
        threads: intra-op threads, or 0 for one per core (at most 4).
    """
    import torch

    threads = threads or min(4, os.cpu_count() or 1)
    torch.set_num_threads(threads)
    with contextlib.suppress(RuntimeError):  # already set, or parallel work already ran
        torch.set_num_interop_threads(1)
    return threads


def _load(config: Mapping[str, Any], backend: str) -> DetoxifyScorer:
    from workers.scoring.assembly import SHIPPED_MODELS, calibration_file, ensure_model

    model = config["MODERATION_MODEL"]
    batch_size = config["SCORING_BATCH_SIZE"]
    if model in SHIPPED_MODELS:
        checkpoint, config_dir = ensure_model(config["MODERATION_MODEL_CACHE"], model)
        detoxify = load_local_checkpoint(checkpoint, config_dir)
        calibration = calibration_file(model)
        return DetoxifyScorer(
            detoxify, model, SHIPPED_MODELS[model].version, batch_size, backend,
            calibration=Calibration.from_file(calibration) if calibration else None,
            vector_layer=config.get("SENTENCE_VECTOR_LAYER", DEFAULT_LAYER))
    if model in DETOXIFY_VARIANTS:
        from detoxify import Detoxify
        from detoxify.detoxify import MODEL_URLS

        version = MODEL_URLS[model].rsplit("/", 1)[-1].removesuffix(".ckpt")
        log.info("loading Detoxify %s (downloaded on first use)", model)
        return DetoxifyScorer(Detoxify(model_type=model), model, version, batch_size, backend,
                              vector_layer=config.get("SENTENCE_VECTOR_LAYER", DEFAULT_LAYER))
    checkpoint = Path(model)
    if not checkpoint.is_file():
        raise ModelUnavailable(
            f"MODERATION_MODEL={model!r} is neither a Detoxify variant "
            f"({', '.join(DETOXIFY_VARIANTS)}), nor a shipped model "
            f"({', '.join(SHIPPED_MODELS)}), nor a checkpoint file."
        )
    config_dir = config["MODERATION_MODEL_CONFIG"]
    if config_dir and not Path(config_dir, "config.json").is_file():
        raise ModelUnavailable(
            f"MODERATION_MODEL_CONFIG={config_dir!r} has no config.json: it must be a local "
            "Hugging Face folder with the model's config and tokenizer files."
        )
    if config_dir:
        detoxify = load_local_checkpoint(checkpoint, Path(config_dir))
    else:
        from detoxify import Detoxify

        detoxify = Detoxify(checkpoint=str(checkpoint))
    return DetoxifyScorer(detoxify, checkpoint.stem, _file_digest(checkpoint), batch_size,
                          backend, vector_layer=config.get("SENTENCE_VECTOR_LAYER",
                                                           DEFAULT_LAYER))


def load_local_checkpoint(checkpoint: Path, config_dir: Path) -> Any:
    """A ``Detoxify`` for a local checkpoint and config folder, with no network at all.

    Detoxify 0.5.4 reads the base config by the checkpoint's ``model_type`` (a hub
    name) even when given a local folder; naming the folder instead keeps it offline.
    """
    import torch
    from detoxify import Detoxify
    from detoxify.detoxify import get_model_and_tokenizer

    loaded = torch.load(checkpoint, map_location="cpu", weights_only=False)
    if "config" not in loaded or "state_dict" not in loaded:
        raise ModelUnavailable(f"{checkpoint} is not a Detoxify checkpoint (no config or "
                               "state_dict in it)")
    arch = dict(loaded["config"]["arch"]["args"], model_type=str(config_dir))
    model, tokenizer = get_model_and_tokenizer(
        **arch, state_dict=loaded["state_dict"], huggingface_config_path=str(config_dir)
    )
    renamed = {"toxic": "toxicity", "identity_hate": "identity_attack",
               "severe_toxic": "severe_toxicity"}
    detoxify = Detoxify.__new__(Detoxify)
    detoxify.model, detoxify.tokenizer, detoxify.device = model, tokenizer, "cpu"
    detoxify.class_names = [renamed.get(name, name)
                            for name in loaded["config"]["dataset"]["args"]["classes"]]
    return detoxify


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:12]
