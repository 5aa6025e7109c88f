"""How much a candidate learns from a site's moderators: simulated sites, measured on the
decisions it did not learn from.

``moderation model simulate-sites`` scores the Civil Comments rows of the ``report`` half
(``modelkit.sources``: neither the shipped model's training, checkpoint selection nor its
calibration saw them) with the configured model, decides each under the default policy,
and lets simulated moderators decide every row: they reject a comment when at least a
``cut`` share of its raters found it toxic (a lower cut: stricter moderators than the
default policy's 0.5 label; a higher one: more lenient). For each hold-back seed it then
builds a candidate exactly as ``moderation model adapt`` does
(``service.moderation.learning.candidates.fit_candidate``) on the rest, and compares the
live decisions and the candidate's with the moderators' on the part held back.

Texts are never printed; only counts and shares.
"""

from __future__ import annotations

import json
import statistics
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from modelkit.sources import DEFAULT_DATA_DIR, load_civil
from service.moderation.learning.candidates import evaluate, fit_candidate
from service.moderation.learning.labels import Labelled, held_back
from service.policy import Policy, decide

CUTS = (0.3, 0.5, 0.8)
_EPOCH = datetime(2026, 1, 1)


def report_rows(data_dir: Path, config: dict[str, Any], seed: int = 0,
                cache: Path | None = None) -> tuple[list[str], list[str], list[float],
                                                    list[dict[str, float]]]:
    """Ids, texts, rater toxicity shares and the configured model's (calibrated) scores of
    the Civil Comments ``report`` rows; the scores are read from ``cache`` if it holds them."""
    table = load_civil(Path(data_dir) / "civil_comments" / "train.csv", seed)
    rows = [k for k, split in enumerate(table.split) if split == "report"]
    ids = [table.ids[k] for k in rows]
    texts = [table.texts[k] for k in rows]
    toxicity = [float(table.targets[k, 0]) for k in rows]
    if cache is not None and cache.exists():
        saved = json.loads(cache.read_text())
        if saved.get("ids") == ids and saved.get("model") == config["MODERATION_MODEL"]:
            return ids, texts, toxicity, saved["scores"]
    from workers.scoring.scorer import load_scorer

    scorer = load_scorer(config)
    scores = []
    for start in range(0, len(texts), 32):
        scores += scorer.score(texts[start:start + 32])
    scores = [{label: round(float(v), 6) for label, v in row.items()} for row in scores]
    if cache is not None:
        cache.write_text(json.dumps({"model": config["MODERATION_MODEL"], "ids": ids,
                                     "scores": scores}))
    return ids, texts, toxicity, scores


def simulate(ids: Sequence[str], texts: Sequence[str], toxicity: Sequence[float],
             scores: Sequence[dict[str, float]], cut: float, seeds: Sequence[int],
             hold_back: float = 0.3, policy: Policy | None = None,
             missed: float | None = None) -> dict[str, Any]:
    """The live policy and the candidates against moderators who reject at ``cut``; the
    candidates publish at most ``missed`` of the rejected (default: the policy's target)."""
    policy = policy or Policy()
    rows = [Labelled(uuid.uuid5(uuid.NAMESPACE_URL, id_), text, _EPOCH, row,
                     decide(row, policy, text).outcome.value, share >= cut, _EPOCH)
            for id_, text, share, row in zip(ids, texts, toxicity, scores, strict=True)]
    runs = []
    for seed in seeds:
        back = held_back(rows, hold_back, seed)
        train = [row for row, out in zip(rows, back, strict=True) if not out]
        test = [row for row, out in zip(rows, back, strict=True) if out]
        head = fit_candidate(train, policy, missed)
        runs.append(evaluate(head, "candidate", test, policy) | {"hold": head.hold,
                                                                 "reject": head.reject})

    def mean(path: Sequence[str]) -> float:
        values = []
        for run in runs:
            value: Any = run
            for key in path:
                value = value[key]
            values.append(float(value))
        return round(statistics.fmean(values), 4)

    rises = [run["candidate"]["agreement"] - run["live"]["agreement"] for run in runs]
    return {
        "cut": cut, "missed": missed, "rows": len(rows), "moderators_reject": round(
            sum(row.rejected for row in rows) / len(rows), 4),
        "seeds": len(runs), "compared_per_seed": mean(("compared",)),
        "agreement_live": mean(("live", "agreement")),
        "agreement_candidate": mean(("candidate", "agreement")),
        "rise": round(statistics.fmean(rises), 4),
        "rise_min": round(min(rises), 4), "rise_max": round(max(rises), 4),
        "published_rejected": {"live": mean(("live", "published_rejected")),
                               "candidate": mean(("candidate", "published_rejected"))},
        "not_published_approved": {"live": mean(("live", "not_published_approved")),
                                   "candidate": mean(("candidate", "not_published_approved"))},
        "candidate_outcomes": {o: mean(("candidate", "outcomes", o))
                               for o in ("approved", "held", "rejected")},
        "live_outcomes": {o: mean(("live", "outcomes", o))
                          for o in ("approved", "held", "rejected")},
    }


def simulate_all(data_dir: Path = DEFAULT_DATA_DIR, cuts: Sequence[float] = CUTS,
                 seeds: Sequence[int] = tuple(range(5)), config: dict[str, Any] | None = None,
                 cache: Path | None = None, missed: Sequence[float | None] = (None,)
                 ) -> list[dict[str, Any]]:
    """``simulate`` for each moderators' ``cut`` and miss budget on the same scored rows."""
    ids, texts, toxicity, scores = report_rows(data_dir, config or {}, cache=cache)
    return [simulate(ids, texts, toxicity, scores, cut, seeds, missed=share)
            for cut in cuts for share in missed]


def summary_line(result: dict[str, Any]) -> str:
    budget = "the target" if result["missed"] is None else f"{100 * result['missed']:g}%"
    return (f"moderators reject at toxicity >= {result['cut']:g}, candidate may publish "
            f"{budget} of their rejections "
            f"({100 * result['moderators_reject']:.1f}% of {result['rows']} rows): agreement "
            f"on {result['compared_per_seed']:.0f} held-back decisions, live "
            f"{100 * result['agreement_live']:.1f}% -> candidate "
            f"{100 * result['agreement_candidate']:.1f}% ({100 * result['rise']:+.1f} points; "
            f"{100 * result['rise_min']:+.1f} to {100 * result['rise_max']:+.1f} over "
            f"{result['seeds']} seeds); published although rejected "
            f"{result['published_rejected']['live']:g} -> "
            f"{result['published_rejected']['candidate']:g}, held or rejected although "
            f"approved {result['not_published_approved']['live']:g} -> "
            f"{result['not_published_approved']['candidate']:g}")




@click.command("simulate-sites")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="The shared data folder (default: ../shared/data).")
@click.option("--cut", "cuts", type=click.FloatRange(0, 1), multiple=True,
              help="Moderators reject at this rater toxicity share (repeatable; default "
                   "0.3, 0.5 and 0.8).")
@click.option("--seeds", type=click.IntRange(min=1), default=5, show_default=True,
              help="Hold-back seeds per simulated site.")
@click.option("--missed", "missed", type=click.FloatRange(0, 1), multiple=True,
              help="Share of the moderators' rejections a candidate may publish (repeatable; "
                   "default: the policy's target).")
@click.option("--scores-cache", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="JSON file keeping the model's scores between runs.")
def simulate_sites(data_dir: Path | None, cuts: tuple[float, ...], seeds: int,
                   missed: tuple[float, ...], scores_cache: Path | None) -> None:
    """How much a candidate's agreement with moderators rises on decisions it did not learn
    from, for simulated sites stricter and more lenient than the default policy."""
    from service.config import load_config

    config = load_config() | {"TORCH_THREADS": 1}
    results = simulate_all(data_dir or DEFAULT_DATA_DIR, cuts or CUTS, tuple(range(seeds)), config,
                  scores_cache, missed or (None,))
    for result in results:
        click.echo(summary_line(result))
    click.echo(json.dumps(results))
