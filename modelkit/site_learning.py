"""How much a candidate that reads the comment learns from a simulated news site's moderators:
its ROC AUC against the shipped model's, and the rates at the site's target, on decisions
it did not learn from, from 250 to 4,000 decisions; and which encoder layer's vector
serves it best.

The site is Civil Comments at its natural balance (``../shared/data/civil_comments_random``:
comments of about 50 news sites). Only rows that the model's training and checkpoint
selection never saw may be used: with ``--splits fit,report`` (the default), the rows that
``modelkit.sources.load_news`` puts in the ``fit`` and ``report`` halves of the source
``news`` (seed 0, as the model was trained); ``--splits all`` takes every row,
right only for a model that was not trained on this folder (``news-minilm`` before it
was). Moderators reject a comment when at least ``cut`` of its raters found it toxic.
``--source fox`` takes the Fox News comments instead (``../shared/data/fox_news``, split by
article as ``modelkit.sources.load_fox`` splits them; ``hateful`` is the verdict), a check
on another news source.

A seeded 30% of the rows (``learning.labels.held_back``, as ``moderation model adapt``
holds back) is the evaluation set; candidates learn from the first N of the rest, in a
seeded order, exactly as ``adapt`` fits them (``learning.fitting.fit_vector_head``) but
without the guard on counts. Texts are never printed; only counts, shares and AUCs.
"""

from __future__ import annotations

import json
import random
import statistics
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import numpy as np

from modelkit.sources import DEFAULT_DATA_DIR, FOLDERS, LOADERS, read_rows
from service.moderation.learning.candidates import evaluate, fit_candidate
from service.moderation.learning.evaluation import rates
from service.moderation.learning.fitting import fit_vector_head
from service.moderation.learning.head import forced
from service.moderation.learning.labels import Labelled, held_back
from service.moderation.learning.targets import bands, site_target
from service.moderation.learning.vectors import quantise
from service.policy import Outcome, Policy, decide

SITES = ("news", "fox")
_SHARE = {"news": "toxicity", "fox": "hateful"}  # the raters' share (fox: one verdict)
SIZES = (250, 500, 1000, 2000, 4000)
_EPOCH = datetime(2026, 1, 1)


def site_rows(data_dir: Path, splits: Sequence[str], natural: bool, source: str = "news"
              ) -> tuple[list[str], list[str], list[float], Any]:
    """Ids, texts and rater toxicity shares of every row of ``source`` (``news`` or
    ``fox``), and which of them the site has: those in ``splits`` (``all``: every row),
    and with ``natural`` only the random samples (the stream's own balance; news only)."""
    path = Path(data_dir) / FOLDERS[source] / "train.csv"
    share = _SHARE[source]
    selection = ("selection",) if natural and source == "news" else ()
    rows = read_rows(path, ("id", "comment_text", share, *selection))
    split = LOADERS[source](path, 0, None).split  # the model's own splits (seed 0)
    keep = np.array([(not natural or row.get("selection", "random") == "random")
                     and ("all" in splits or split[k] in splits)
                     for k, row in enumerate(rows)], dtype=bool)
    return ([row["id"] for row in rows], [row["comment_text"] for row in rows],
            [float(row[share] or 0) for row in rows], keep)


def embedded(ids: Sequence[str], texts: Sequence[str], config: dict[str, Any],
             cache: Path | None) -> tuple[list[dict[str, float]], Any, str]:
    """The configured model's calibrated scores and every layer's mean-pooled vector
    (``(rows, layers, hidden)``, as stored: int8 with a scale) of the texts, and the
    model's name; read from ``cache`` (an ``.npz``) when it holds them."""
    if cache is not None and cache.exists():
        saved = np.load(cache, allow_pickle=False)
        if list(saved["ids"]) == list(ids) and str(saved["model"]) == config["MODERATION_MODEL"]:
            scores = json.loads(str(saved["scores"]))
            return scores, saved["data"].astype(np.float32) * saved["scales"][..., None], str(
                saved["space"])
    from workers.scoring.scorer import load_scorer

    scorer = load_scorer(config)
    scores: list[dict[str, float]] = []
    parts = []
    for start in range(0, len(texts), 64):
        batch_scores, layers = scorer.score_layers(texts[start:start + 64])
        scores += [{k: round(float(v), 6) for k, v in row.items()} for row in batch_scores]
        parts.append(layers)
    layers = np.concatenate(parts)
    # as the database keeps them: int8 with one scale per vector
    data = np.zeros(layers.shape, dtype=np.int8)
    scales = np.zeros(layers.shape[:2], dtype=np.float32)
    for row in range(layers.shape[0]):
        for layer in range(layers.shape[1]):
            packed, scale = quantise(layers[row, layer])
            data[row, layer] = np.frombuffer(packed, dtype=np.int8)
            scales[row, layer] = scale
    space = scorer.vector_space.rsplit("/", 1)[0]
    if cache is not None:
        np.savez_compressed(cache, ids=np.array(ids), model=config["MODERATION_MODEL"],
                            scores=json.dumps(scores), data=data, scales=scales, space=space)
    return scores, data.astype(np.float32) * scales[..., None], space


def labelled(ids: Sequence[str], toxicity: Sequence[float], scores: Sequence[dict[str, float]],
             vectors: Any, cut: float, policy: Policy, source: str = "news") -> list[Labelled]:
    """The rows as decided comments: the live policy's outcome, the moderators' verdict."""
    return [Labelled(uuid.uuid5(uuid.NAMESPACE_URL, f"{source}:{id_}"), "", _EPOCH, row,
                     decide(row, policy).outcome.value, share >= cut, _EPOCH, vector)
            for id_, share, row, vector in zip(ids, toxicity, scores, vectors, strict=True)]


def run(rows: Sequence[Labelled], sizes: Sequence[int], seeds: Sequence[int], policy: Policy,
        space: str, scores_head: bool = True) -> list[dict[str, Any]]:
    """Per size and seed: the held-back figures of the live policy, the candidate over the
    vector and the scores, and (``scores_head``) the first candidates' head over the scores."""
    back = held_back(rows, 0.3, 0)
    test = [row for row, out in zip(rows, back, strict=True) if out]
    pool = [row for row, out in zip(rows, back, strict=True) if not out]
    target = site_target(policy)
    results = []
    for size in sizes:
        if size > len(pool):
            continue
        for seed in seeds:
            train = random.Random(seed).sample(pool, size)
            if sum(row.rejected for row in train) < 2:
                continue
            head, _ = fit_vector_head(train, policy, target, space, seed)
            figures = evaluate(head, "candidate", test, policy, seed)
            result = {"size": size, "seed": seed, "rejected_in_train": sum(
                row.rejected for row in train), "compared": len(test),
                "moderators_rejected": figures["moderators_rejected"], "C": head.C,
                "score_weight": head.score_weight,
                "auc_live": figures["auc"]["live"], "auc_candidate": figures["auc"]["candidate"],
                "live": figures["live"]["rates"], "candidate": figures["candidate"]["rates"],
                "intervals": figures["candidate"]["intervals"]}
            result["shipped_at_target"] = shipped_at_target(train, test, policy)
            if scores_head:
                old = fit_candidate(train, policy)
                old_figures = evaluate(old, "scores-head", test, policy, seed)
                result |= {"auc_scores_head": old_figures["auc"]["candidate"],
                           "scores_head": old_figures["candidate"]["rates"]}
            results.append(result)
    return results


def shipped_at_target(train: Sequence[Labelled], test: Sequence[Labelled], policy: Policy
                      ) -> dict[str, float | None]:
    """The shipped model's rates on ``test`` with its toxicity threshold fitted for the
    site's target on ``train`` (the same decisions the candidate learns from): what a site
    gets by moving the threshold alone, the fair baseline of the candidate's rates."""
    def toxicity(row: Labelled) -> float:
        return row.scores.get("toxicity", 0.0)

    hold, _ = bands(site_target(policy), [toxicity(row) for row in train],
                    [row.rejected for row in train],
                    [row.live_outcome == Outcome.APPROVED for row in train],
                    [forced(row.scores, policy, row.body) is not None for row in train])
    outcomes = []
    for row in test:
        verdict = forced(row.scores, policy, row.body)
        outcomes.append(verdict.outcome if verdict else
                        Outcome.HELD if toxicity(row) >= hold else Outcome.APPROVED)
    return rates(outcomes, [row.rejected for row in test])


def summary(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Means over seeds, per size."""
    out = []
    for size in sorted({r["size"] for r in results}):
        runs = [r for r in results if r["size"] == size]

        def mean(*path: str, runs: list[dict[str, Any]] = runs) -> float | None:
            values = []
            for run_ in runs:
                value: Any = run_
                for key in path:
                    value = value.get(key) if isinstance(value, dict) else None
                if value is not None:
                    values.append(float(value))
            return round(statistics.fmean(values), 4) if values else None

        out.append({"size": size, "seeds": len(runs), "rejected_in_train": mean(
            "rejected_in_train"), "auc_live": mean("auc_live"),
            "auc_candidate": mean("auc_candidate"), "auc_scores_head": mean("auc_scores_head"),
            **{f"{side}_{rate}": mean(side, rate)
               for side in ("live", "shipped_at_target", "candidate", "scores_head")
               for rate in ("published_rejected", "held_approved", "agreement")}})
    return out


def line(row: dict[str, Any]) -> str:
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{100 * value:.1f}%"

    return (f"{row['size']:>5} decisions ({row['rejected_in_train']:.0f} rejections): AUC "
            f"shipped {row['auc_live']}, candidate {row['auc_candidate']}, scores head "
            f"{row['auc_scores_head']}; rejected ones published: live "
            f"{pct(row['live_published_rejected'])}, shipped at the target "
            f"{pct(row['shipped_at_target_published_rejected'])}, candidate "
            f"{pct(row['candidate_published_rejected'])}; approved ones held: live "
            f"{pct(row['live_held_approved'])}, shipped at the target "
            f"{pct(row['shipped_at_target_held_approved'])}, candidate "
            f"{pct(row['candidate_held_approved'])}")


def _site(data_dir: Path | None, source: str, splits: str, natural: bool, target: str | None,
          cache: Path | None) -> tuple[list[str], list[float], list[dict[str, float]], Any, str,
                                       Policy]:
    """The simulated site's rows (scored and embedded once, all rows, then chosen)."""
    from service.config import load_config

    config = load_config() | {"TORCH_THREADS": 1}
    ids, texts, toxicity, keep = site_rows(data_dir or DEFAULT_DATA_DIR, splits.split(","),
                                           natural, source)
    scores, layers, model = embedded(ids, texts, config, cache)
    policy = Policy.from_overrides({"target": target} if target else None)
    chosen = np.flatnonzero(keep)
    return ([ids[k] for k in chosen], [toxicity[k] for k in chosen],
            [scores[k] for k in chosen], layers[chosen], model, policy)


_OPTIONS = (
    click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                 default=None, help="The shared data folder (default: ../shared/data)."),
    click.option("--source", type=click.Choice(SITES), default="news", show_default=True,
                 help="The site: Civil Comments' news comments, or the Fox News comments."),
    click.option("--splits", default="fit,report", show_default=True,
                 help="Splits of the source to use (`all`: every row, only for a model "
                      "not trained on the source)."),
    click.option("--natural/--all-selections", default=False, show_default=True,
                 help="Only the random samples (8% toxic), or also the balanced ones (news)."),
    click.option("--cut", type=click.FloatRange(0, 1), default=0.5, show_default=True,
                 help="Moderators reject at this rater toxicity share."),
    click.option("--target", default=None, help="The site's target (default: the default)."),
    click.option("--seeds", type=click.IntRange(min=1), default=3, show_default=True),
    click.option("--cache", type=click.Path(dir_okay=False, path_type=Path), default=None,
                 help="An .npz file keeping the model's scores and vectors between runs."),
)


def _with_options(function: Any) -> Any:
    for option in reversed(_OPTIONS):
        function = option(function)
    return function


@click.command("learning-curve")
@_with_options
@click.option("--size", "sizes", type=click.IntRange(min=20), multiple=True,
              help="Decisions to learn from (repeatable; default 250 to 4,000).")
@click.option("--layer", type=click.IntRange(min=1), default=None,
              help="The encoder layer whose vector it reads (default SENTENCE_VECTOR_LAYER).")
def learning_curve(data_dir: Path | None, source: str, splits: str, natural: bool, cut: float,
                   target: str | None, seeds: int, cache: Path | None, sizes: tuple[int, ...],
                   layer: int | None) -> None:
    """The candidate's ROC AUC against the shipped model's, and the rates at the site's
    target, on held-back decisions of a simulated news site; the last line is JSON."""
    from service.config import load_config

    ids, toxicity, scores, layers, model, policy = _site(data_dir, source, splits, natural,
                                                         target, cache)
    chosen = min(layer or load_config()["SENTENCE_VECTOR_LAYER"], layers.shape[1])
    rows = labelled(ids, toxicity, scores, layers[:, chosen - 1, :], cut, policy, source)
    click.echo(f"{len(rows)} {source} comments ({sum(r.rejected for r in rows)} rejected at "
               f"{cut:g}), model {model}, layer {chosen}, target "
               f"{site_target(policy).describe()}")
    results = run(rows, sizes or SIZES, tuple(range(seeds)), policy, f"{model}/layer{chosen}")
    table = summary(results)
    for row in table:
        click.echo(line(row))
    click.echo(json.dumps({"model": model, "layer": chosen, "rows": len(rows),
                           "summary": table, "runs": results}))


@click.command("layers")
@_with_options
@click.option("--size", "sizes", type=click.IntRange(min=20), multiple=True,
              help="Decisions to learn from (repeatable; default 1,000 and 2,000).")
def layers_command(data_dir: Path | None, source: str, splits: str, natural: bool, cut: float,
                   target: str | None, seeds: int, cache: Path | None,
                   sizes: tuple[int, ...]) -> None:
    """Which encoder layer's vector serves candidates best: the candidate's ROC AUC on
    held-back decisions of a simulated news site, per layer; the last line is JSON.
    Choose SENTENCE_VECTOR_LAYER by it."""
    ids, toxicity, scores, layers, model, policy = _site(data_dir, source, splits, natural,
                                                         target, cache)
    out = []
    for layer in range(1, layers.shape[1] + 1):
        rows = labelled(ids, toxicity, scores, layers[:, layer - 1, :], cut, policy, source)
        table = summary(run(rows, sizes or (1000, 2000), tuple(range(seeds)), policy,
                            f"{model}/layer{layer}", scores_head=False))
        for row in table:
            click.echo(f"layer {layer}: {row['size']} decisions, AUC candidate "
                       f"{row['auc_candidate']} (shipped {row['auc_live']})")
        out.append({"layer": layer, "summary": table})
    best = max(out, key=lambda entry: statistics.fmean(
        row["auc_candidate"] for row in entry["summary"]) if entry["summary"] else 0.0)
    click.echo(f"best: layer {best['layer']}")
    click.echo(json.dumps({"model": model, "rows": len(ids), "layers": out,
                           "best": best["layer"]}))
