"""The ONNX Runtime scorer: onnxruntime, tokenizers and numpy, and no torch at all.

``SCORER_BACKEND=onnx`` (fp32) or ``onnx-int8`` runs the model that
``workers.scoring.export`` wrote beside the checkpoint: a folder ``<stem>-onnx/`` with
the optimised graph, its int8 copy, ``tokenizer.json`` and a stamp (``onnx.json``)
recording the sha256 of the checkpoint it came from and of each file. A folder whose
hashes do not match is exported again. The export needs torch, so it runs in a child
process, and the worker that scores never imports torch or transformers
(an import-linter contract in ``pyproject.toml`` and a test keep it so).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.text import model_text
from workers.scoring.batching import length_batches
from workers.scoring.calibration import Calibration
from workers.scoring.errors import ModelUnavailable
from workers.scoring.labels import file_sha256
from workers.scoring.token_ids import TokenIds
from workers.scoring.vectors import DEFAULT_LAYER, LayeredScores, effective_layer, space

ONNX_BACKENDS = ("onnx", "onnx-int8")
FP32_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
STAMP_FILE = "onnx.json"
OPSET = 17
OUTPUTS = ("logits", "vectors")
"""The graph's outputs: an export without the vectors (an older one) is made again."""
EXPORT_TIMEOUT_SECONDS = 900
MAX_BATCH_TOKENS = 256
"""As the torch scorer's (``workers.scoring.scorer.MAX_BATCH_TOKENS``, where the
measurement is): most padded tokens in one run of the graph."""


def onnx_dir(checkpoint: Path, cache_dir: str | Path) -> Path:
    """Where the ONNX export of ``checkpoint`` lives: beside it, ``<stem>-onnx/``.

    When the checkpoint's folder is read-only (a mounted volume) and holds no export,
    it is ``<cache_dir>/onnx/<stem>-<hash of the checkpoint's path>/`` instead.
    """
    beside = checkpoint.resolve().parent / f"{checkpoint.stem}-onnx"
    if beside.exists() or os.access(beside.parent, os.W_OK):
        return beside
    named = hashlib.sha256(str(checkpoint.resolve()).encode()).hexdigest()[:12]
    return Path(cache_dir).resolve() / "onnx" / f"{checkpoint.stem}-{named}"


def valid_export(folder: Path, checkpoint: Path) -> bool:
    """Whether ``folder`` holds an export of ``checkpoint`` whose files match their hashes."""
    try:
        stamp = json.loads((folder / STAMP_FILE).read_text())
        files = stamp["files"]
        return bool(
            stamp["checkpoint_sha256"] == file_sha256(checkpoint)
            and stamp.get("opset") == OPSET
            and tuple(stamp.get("outputs", ())) == OUTPUTS
            and all(file_sha256(folder / name) == files[name]
                    for name in (FP32_FILE, INT8_FILE, TOKENIZER_FILE))
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


@dataclass(frozen=True)
class Source:
    """The checkpoint that a configuration names, and what a decision records of it."""

    checkpoint: Path | None
    """None: a shipped model not yet assembled (the export assembles it)."""
    name: str
    version: str
    calibration: Path | None = None


def resolve(config: Mapping[str, Any]) -> Source:
    """The checkpoint of ``MODERATION_MODEL``, without assembling or importing anything heavy.

    Raises:
        ModelUnavailable: for a Detoxify variant (downloaded by torch's hub: use the
            ``torch`` backend) or a path that is no file.
    """
    from workers.scoring.assembly import SHIPPED_MODELS, assembled_model, calibration_file

    model = config["MODERATION_MODEL"]
    if model in SHIPPED_MODELS:
        paths = assembled_model(config["MODERATION_MODEL_CACHE"], model)
        return Source(paths[0] if paths else None, model, SHIPPED_MODELS[model].version,
                      calibration_file(model))
    checkpoint = Path(model)
    if not checkpoint.is_file():
        raise ModelUnavailable(
            f"MODERATION_MODEL={model!r} is neither a shipped model ({', '.join(SHIPPED_MODELS)}) "
            "nor a checkpoint file, which the ONNX backends take; for a Detoxify variant "
            "(downloaded by Detoxify) set SCORER_BACKEND=torch."
        )
    config_dir = config["MODERATION_MODEL_CONFIG"]
    if not config_dir or not Path(config_dir, "config.json").is_file():
        raise ModelUnavailable(
            f"MODERATION_MODEL_CONFIG={config_dir!r} has no config.json: the ONNX backends need "
            "a local Hugging Face folder with the checkpoint's config and tokenizer files."
        )
    return Source(checkpoint, checkpoint.stem, file_sha256(checkpoint)[:12])


def ensure_export(config: Mapping[str, Any]) -> tuple[Source, Path]:
    """The model's source and its valid ONNX folder, exported in a child process if needed.

    Raises:
        ModelUnavailable: when the export fails (with the end of its error output).
    """
    source = resolve(config)
    cache = config["MODERATION_MODEL_CACHE"]
    if source.checkpoint is not None and valid_export(onnx_dir(source.checkpoint, cache),
                                                      source.checkpoint):
        return source, onnx_dir(source.checkpoint, cache)
    command = [sys.executable, "-m", "workers.scoring.export",
               "--model", str(config["MODERATION_MODEL"]),
               "--config-dir", str(config["MODERATION_MODEL_CONFIG"]),
               "--cache", str(config["MODERATION_MODEL_CACHE"])]
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          timeout=EXPORT_TIMEOUT_SECONDS)
    if done.returncode != 0:
        raise ModelUnavailable(f"model {config['MODERATION_MODEL']!r} could not be loaded: its "
                               f"ONNX export failed: {done.stderr.strip()[-2000:]}")
    source = resolve(config)
    folder = Path(done.stdout.strip().splitlines()[-1])
    if source.checkpoint is None or not valid_export(folder, source.checkpoint):
        raise ModelUnavailable(f"the ONNX export in {folder} does not match its checkpoint")
    return source, folder


class OnnxScorer(LayeredScores):
    """A Detoxify model run by ONNX Runtime, batched by length like the torch scorer.

    Each text is normalised (``service.text.model_text``) and tokenized once, with the
    tokenizer's truncation; texts of similar length share a run of the graph, padded
    to the longest of them. Scores come back in the order of the texts given.
    """

    def __init__(self, folder: Path, name: str, version: str, backend: str = "onnx",
                 batch_size: int = 32, threads: int = 0,
                 max_batch_tokens: int = MAX_BATCH_TOKENS,
                 calibration: Calibration | None = None,
                 vector_layer: int = DEFAULT_LAYER) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        stamp = json.loads((folder / STAMP_FILE).read_text())
        self.name, self.version, self.backend = name, version, backend
        self.labels: tuple[str, ...] = tuple(stamp["labels"])
        self.batch_size, self.max_batch_tokens = batch_size, max_batch_tokens
        self.calibration = calibration
        self.pad_id = int(stamp["pad_id"])
        self.layers = int(stamp["layers"])
        self.layer = effective_layer(vector_layer, self.layers)
        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(int(stamp["max_length"]))
        self.token_ids = TokenIds(self.tokenizer)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Batches change shape every time: an arena would keep the largest one's buffers
        # (hundreds of MB of attention scores) for the life of the worker.
        options.enable_cpu_mem_arena = False
        # Idle threads sleep rather than spin: a worker shares its cores with the web
        # processes and other workers, and spinning threads took the CPU the scoring
        # needed (int8, 2 threads, load 3: 23-32 comments/s spinning, 58-64 not).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return_large_buffers()
        graph = folder / (INT8_FILE if backend == "onnx-int8" else FP32_FILE)
        self.session = onnxruntime.InferenceSession(str(graph), options,
                                                    providers=["CPUExecutionProvider"])
        self.hidden = int(self.session.get_outputs()[1].shape[2])

    @property
    def model_id(self) -> str:
        """Name and version, as recorded with each decision, with ``+onnx`` or ``+onnx-int8``."""
        return f"{self.name}@{self.version}+{self.backend}"

    @property
    def vector_space(self) -> str:
        """What the sentence vectors it gives are comparable with (``vectors.space``)."""
        return space(self.name, self.version, self.layer)

    def score_layers(self, texts: Sequence[str]) -> tuple[list[dict[str, float]], Any]:
        """The scores and every encoder layer's mean-pooled state, ``(texts, layers,
        hidden)`` float32 (what ``moderation model layers`` compares).

        In three stretches: every batch's inputs, then the graph's runs back to back,
        then the scores of all texts at once. Python run between two runs of the graph
        found its caches cold and cost about 0.1 ms a comment more (``bench.worker_path``).
        """
        import numpy

        if not texts:
            return [], numpy.zeros((0, self.layers, self.hidden), dtype=numpy.float32)
        ids = self.token_ids([model_text(text) for text in texts])
        lengths = [len(row) for row in ids]
        batches = list(length_batches(lengths, self.batch_size, self.max_batch_tokens))
        inputs = []
        for batch in batches:
            batch_lengths = numpy.array([lengths[index] for index in batch])
            padded = numpy.full((len(batch), batch_lengths.max()), self.pad_id,
                                dtype=numpy.int64)
            for row, index in enumerate(batch):
                padded[row, :lengths[index]] = ids[index]
            mask = (numpy.arange(padded.shape[1]) < batch_lengths[:, None]).astype(numpy.int64)
            inputs.append({"input_ids": padded, "attention_mask": mask,
                           "token_type_ids": numpy.zeros_like(padded)})
        outputs = [self.session.run(list(OUTPUTS), batch_inputs) for batch_inputs in inputs]
        order = numpy.concatenate([numpy.asarray(batch) for batch in batches])
        logits = numpy.empty((len(texts), len(self.labels)), dtype=numpy.float64)
        logits[order] = numpy.concatenate([output[0] for output in outputs])
        vectors = numpy.empty((len(texts), self.layers, self.hidden), dtype=numpy.float32)
        vectors[order] = numpy.concatenate([output[1] for output in outputs])
        results = [dict(zip(self.labels, row, strict=True))
                   for row in (1.0 / (1.0 + numpy.exp(-logits))).tolist()]
        return (self.calibration.apply_all(results) if self.calibration else results), vectors


MMAP_THRESHOLD_BYTES = 16 << 20
_M_MMAP_THRESHOLD = -3
"""glibc's ``mallopt`` parameter (``malloc.h``)."""


def return_large_buffers() -> bool:
    """Have glibc map each buffer of 16 MiB or more on its own, and unmap it when freed.

    Otherwise glibc raises its threshold to the largest buffer freed so far and keeps
    such buffers in the heap: a worker stayed at 400-500 MB after a few batches where
    it needs under 200. A lower threshold costs speed: at 1 MiB every run of the graph
    mapped, faulted in and unmapped its larger activations, and int8 scored 25% fewer
    comments per CPU-second. Process-wide; a no-op (False) off glibc.
    """
    import ctypes

    try:
        return bool(ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    except (AttributeError, OSError):
        return False


def load_onnx_scorer(config: Mapping[str, Any], backend: str) -> OnnxScorer:
    """The ONNX scorer that ``config`` names (exporting the model first if needed)."""
    source, folder = ensure_export(config)
    return OnnxScorer(folder, source.name, source.version, backend,
                      batch_size=config["SCORING_BATCH_SIZE"], threads=config["TORCH_THREADS"],
                      calibration=Calibration.from_file(source.calibration)
                      if source.calibration else None,
                      vector_layer=config.get("SENTENCE_VECTOR_LAYER", DEFAULT_LAYER))
