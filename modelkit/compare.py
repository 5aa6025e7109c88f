"""Two models on the same report halves, with paired bootstrap intervals of the change.

``moderation model compare`` reads what ``moderation model targets`` wrote for each
model (the calibration file with its fitted targets, and the ``--save-scores`` raw
scores) and measures, on the ``report`` rows only:

* the toxicity ROC-AUC of each part (news, its natural-balance ``random`` rows, and every
  other source), with a 95% paired bootstrap interval of the difference (the same
  resampled rows for both models);
* under one target (each model with its own calibration and thresholds), civil comments
  held, toxic comments published and severe ones (threat, severe toxicity, identity
  attack) published per part, with paired intervals of the difference;
* civil comments held in two subgroups, all sources and news alone: those naming an
  identity group (``augment.IDENTITY_RE``) and those with mild profanity
  (``augment.MILD_PROFANITY_RE``);
* the probes' outcomes under that target, and which probes each model gets wrong (a
  threat published, a civil sentence held or rejected).

Numpy only; texts are only matched against the two patterns, none is printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from modelkit.augment import IDENTITY_RE, MILD_PROFANITY_RE
from modelkit.metrics import roc_auc
from modelkit.sources import SOURCES, Table
from modelkit.targets import TargetPolicy, calibrated, clean_rows, probe_report, severe_rows

ROUNDS = 1000


def load_scores(path: str | Path) -> dict[str, np.ndarray]:
    """The arrays of a ``--save-scores`` file (ids, scores, probe_ids, probe_scores)."""
    with np.load(path, allow_pickle=False) as saved:
        return {name: saved[name] for name in saved.files}


def _parts(table: Table, index: np.ndarray) -> dict[str, np.ndarray]:
    """Part name -> boolean rows of ``index``: news, news_random, then the other sources."""
    source = table.source[index]
    group = np.array([table.group[i] for i in index], dtype=object)
    parts = {"news": source == "news", "news_random": (source == "news") & (group == "random")}
    parts.update({name: source == name for name in SOURCES if name != "news"})
    return {name: rows for name, rows in parts.items() if rows.any()}


def _paired_auc(truth: np.ndarray, old: np.ndarray, new: np.ndarray,
                rng: np.random.Generator) -> dict[str, Any]:
    gains = []
    for _ in range(ROUNDS):
        draw = rng.integers(0, len(truth), len(truth))
        if 0 < truth[draw].sum() < len(draw):
            gains.append(roc_auc(truth[draw], new[draw]) - roc_auc(truth[draw], old[draw]))
    return {"old": roc_auc(truth, old), "new": roc_auc(truth, new), "n": len(truth),
            "n_toxic": int(truth.sum()),
            "gain_interval": [float(np.quantile(gains, 0.025)), float(np.quantile(gains, 0.975))]}


def _paired_rate(old: np.ndarray, new: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
    """Shares of ``old`` and ``new`` flags (same rows) and the interval of their difference."""
    if not len(old):
        return {"n": 0}
    draws = rng.integers(0, len(old), (ROUNDS, len(old)))
    change = new[draws].mean(axis=1) - old[draws].mean(axis=1)
    return {"n": len(old), "old": float(old.mean()), "new": float(new.mean()),
            "change_interval": [float(np.quantile(change, 0.025)),
                                float(np.quantile(change, 0.975))]}


def compare(table: Table, old: Mapping[str, Any], new: Mapping[str, Any],
            old_calibration: Mapping[str, Any], new_calibration: Mapping[str, Any],
            target: str = "queue 5%", seed: int = 0) -> dict[str, Any]:
    """The figures of the module docstring.

    Args:
        table: the sources (the splits ``targets`` used: same data and seed).
        old, new: ``load_scores`` of each model, over the same held-out rows.
        old_calibration, new_calibration: each model's ``targets`` output.
        target: the target whose thresholds (each model's own) decide.

    Raises:
        ValueError: when the two score files are not over the same rows and probes.
    """
    if list(old["ids"]) != list(new["ids"]) or list(old["probe_ids"]) != list(new["probe_ids"]):
        raise ValueError("the two score files are not over the same rows and probes")
    position = {id_: k for k, id_ in enumerate(table.ids)}
    index = np.array([position[str(id_)] for id_ in old["ids"]], dtype=np.int64)
    report = table.split[index] == "report"
    index = index[report]
    raw = {"old": old["scores"][report], "new": new["scores"][report]}
    served = {"old": calibrated(old_calibration, raw["old"]),
              "new": calibrated(new_calibration, raw["new"])}
    policies = {name: TargetPolicy(target, dict(cal["targets"][target]["hold"]),
                                   dict(cal["targets"][target]["reject"]))
                for name, cal in (("old", old_calibration), ("new", new_calibration))}
    outcomes = {name: policies[name].outcomes(served[name]) for name in served}
    toxic, clean = table.toxic[index] >= 0.5, clean_rows(table, index)
    severe = severe_rows(table, index)
    rng = np.random.default_rng(seed)
    result: dict[str, Any] = {"target": target, "auc": {}, "clean_held": {},
                              "toxic_published": {}, "severe_published": {}}
    for part, rows in _parts(table, index).items():
        result["auc"][part] = _paired_auc(toxic[rows].astype(float), raw["old"][rows, 0],
                                          raw["new"][rows, 0], rng)
        result["clean_held"][part] = _paired_rate(
            outcomes["old"][rows & clean] != "approved",
            outcomes["new"][rows & clean] != "approved", rng)
        for figure, flags in (("toxic_published", toxic), ("severe_published", severe)):
            result[figure][part] = _paired_rate(outcomes["old"][rows & flags] == "approved",
                                                outcomes["new"][rows & flags] == "approved", rng)
    result["clean_held_subgroups"] = {}
    news = table.source[index] == "news"
    for name, pattern in (("identity", IDENTITY_RE), ("mild_profanity", MILD_PROFANITY_RE)):
        named = np.array([bool(pattern.search(table.texts[i])) for i in index], dtype=bool)
        for part, rows in ((f"{name}_all", named & clean), (f"{name}_news", named & clean & news)):
            result["clean_held_subgroups"][part] = _paired_rate(
                outcomes["old"][rows] != "approved", outcomes["new"][rows] != "approved", rng)
    probe_ids = [str(id_) for id_ in old["probe_ids"]]
    result["probes"], result["probes_wrong"] = {}, {}
    for name, cal, scores in (("old", old_calibration, old), ("new", new_calibration, new)):
        probe_scores = calibrated(cal, scores["probe_scores"])
        result["probes"][name] = probe_report(policies[name], probe_ids, probe_scores)
        wrong: dict[str, list[int]] = {}
        for id_, outcome in zip(probe_ids, policies[name].outcomes(probe_scores), strict=True):
            _, kind, number = id_.split(":")
            wrong.setdefault(kind, [])
            if (outcome == "approved") == kind.startswith("threat"):
                wrong[kind].append(int(number))
        result["probes_wrong"][name] = wrong
    return result


def summary_lines(result: Mapping[str, Any]) -> list[str]:
    """A line per part and one per probe kind (figures only)."""
    lines = []
    for part, auc in result["auc"].items():
        low, high = auc["gain_interval"]
        line = (f"{part}: AUC {auc['old']:.3f} -> {auc['new']:.3f} (gain {low:+.3f} to "
                f"{high:+.3f}, n {auc['n']}, toxic {auc['n_toxic']})")
        for figure in ("clean_held", "toxic_published", "severe_published"):
            rate = result[figure][part]
            if rate["n"]:
                low, high = rate["change_interval"]
                line += (f"; {figure.replace('_', ' ')} {100 * rate['old']:.1f}% -> "
                         f"{100 * rate['new']:.1f}% (change {100 * low:+.1f} to "
                         f"{100 * high:+.1f} points, n {rate['n']})")
        lines.append(line)
    for part, rate in result.get("clean_held_subgroups", {}).items():
        if rate["n"]:
            low, high = rate["change_interval"]
            lines.append(f"clean held, {part.replace('_', ' ')}: {100 * rate['old']:.1f}% -> "
                         f"{100 * rate['new']:.1f}% (change {100 * low:+.1f} to "
                         f"{100 * high:+.1f} points, n {rate['n']})")
    for kind in result["probes"]["old"]:
        counts = {name: result["probes"][name][kind] for name in ("old", "new")}
        lines.append(f"probes {kind}: published {counts['old']['approved']} -> "
                     f"{counts['new']['approved']} of {sum(counts['old'].values())} "
                     f"(wrong: old {result['probes_wrong']['old'][kind]}, new "
                     f"{result['probes_wrong']['new'][kind]})")
    return lines
