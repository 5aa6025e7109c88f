"""Figures of a fine-tuned model on the held-out halves of every source (numpy only).

* per-source, per-label ROC-AUC on the ``fit`` + ``report`` rows and on ``report`` alone;
* a toxicity-only policy (hold at ``t_hold``, reject at ``t_reject``) fitted on the
  ``fit`` halves with ``modelkit.calibrate`` (at most 2% of the toxic comments
  published; 99% of the rejected toxic), once for all sources pooled and once per
  source, and measured on the ``report`` halves only;
* the clean-held rate, on clean ``report`` comments, of those that mention an identity
  term, of those with mild profanity, and of the rest;
* the probes (``modelkit.probes``) under the pooled policy.

Several models (e.g. ``new`` and the ``baseline`` the service runs today) can be
reported side by side on the same rows. Texts are only matched by regular expressions
here, never printed or stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from modelkit.augment import IDENTITY_RE, MILD_PROFANITY_RE
from modelkit.calibrate import fit_hold, fit_reject
from modelkit.metrics import roc_auc
from modelkit.sources import LABELS, SOURCES, Table

MAX_LET_THROUGH = 0.02
MIN_COUNT = 5
"""Fewest positives (and, in the report, negatives) for a label's AUC to count."""


def label_aucs(table: Table, index: np.ndarray, scores: np.ndarray,
               min_negatives: int = 0) -> dict[str, float]:
    """Label -> ROC-AUC of ``scores`` (rows of ``index``), on the known labels only.

    Toxicity is measured against the source's binary ``toxic``; other labels against
    ``target >= 0.5``. Labels with fewer than ``MIN_COUNT`` positives (or
    ``min_negatives`` negatives) are left out.
    """
    result = {}
    for column, label in enumerate(LABELS):
        known = table.mask[index, column] > 0
        truth = table.toxic[index] >= 0.5 if column == 0 else table.targets[index, column] >= 0.5
        labelled = np.where(known, truth.astype(np.float64), np.nan)
        if np.nansum(labelled) >= MIN_COUNT and np.nansum(1 - labelled) >= min_negatives:
            result[label] = roc_auc(labelled, scores[:, column])
    return result


def source_aucs(table: Table, index: np.ndarray, scores: np.ndarray,
                min_negatives: int = 0) -> dict[str, dict[str, float]]:
    """Source -> label -> ROC-AUC, for the sources that have rows in ``index``."""
    result = {}
    for source in SOURCES:
        rows = table.source[index] == source
        if rows.any():
            result[source] = label_aucs(table, index[rows], scores[rows], min_negatives)
    return result


def selection_metric(aucs: Mapping[str, Mapping[str, float]]) -> float:
    """Mean over sources of the mean AUC over labels (the checkpoint criterion); NaN if none."""
    means = [float(np.nanmean(list(a.values()))) for a in aucs.values()
             if a and not np.isnan(list(a.values())).all()]
    return float(np.mean(means)) if means else float("nan")


def fit_policy(toxicity: np.ndarray, toxic: np.ndarray,
               max_let_through: float = MAX_LET_THROUGH) -> dict[str, float]:
    """Hold and reject thresholds on the toxicity score alone.

    Without both toxic and clean comments there is nothing to fit: the hold cap (0.5)
    and no rejection (1.0).
    """
    toxic = np.asarray(toxic, dtype=bool)
    if not toxic.any() or toxic.all():
        return {"hold": 0.5, "reject": 1.0}
    scores = {"toxicity": toxicity}
    hold = fit_hold(scores, toxic, max_let_through=max_let_through).thresholds["toxicity"]
    reject = fit_reject(scores, toxic, floor={"toxicity": hold})["toxicity"]
    return {"hold": hold, "reject": reject}


def rates(toxicity: np.ndarray, toxic: np.ndarray, policy: Mapping[str, float]) -> dict[str, Any]:
    """Shares of the toxic published or rejected, and of the clean held or rejected."""
    published = toxicity < policy["hold"]
    rejected = toxicity >= policy["reject"]
    held = ~published & ~rejected

    def share(flags: np.ndarray, rows: np.ndarray) -> float:
        return float(flags[rows].mean()) if rows.any() else float("nan")

    clean = ~toxic
    return {"n_toxic": int(toxic.sum()), "n_clean": int(clean.sum()),
            "toxic_published": share(published, toxic), "toxic_rejected": share(rejected, toxic),
            "clean_held": share(held, clean), "clean_rejected": share(rejected, clean),
            "clean_not_published": share(~published, clean)}


def build_report(table: Table, index: np.ndarray, scores: Mapping[str, np.ndarray],
                 probe_ids: list[str], probe_scores: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """The report of every model in ``scores``.

    Args:
        table: the sources (augmentation rows are never in ``index``).
        index: the held-out rows (``fit`` and ``report``) that were scored.
        scores: model name -> ``(len(index), 6)`` scores in ``LABELS`` order.
        probe_ids: ids from ``Probes.rows``.
        probe_scores: model name -> ``(len(probe_ids), 6)`` scores.
    """
    source, split = table.source[index], table.split[index]
    toxic = table.toxic[index] >= 0.5
    fit_rows, report_rows = split == "fit", split == "report"
    report: dict[str, Any] = {"rows": {"fit": int(fit_rows.sum()),
                                       "report": int(report_rows.sum())},
                              "auc": {}, "policy": {}}
    for name, matrix in scores.items():
        report["auc"][name] = {
            part: source_aucs(table, index[rows], matrix[rows], MIN_COUNT)
            for part, rows in (("validation", np.ones(len(index), bool)), ("report", report_rows))
        }
    pooled: dict[str, dict[str, float]] = {}
    for name, matrix in scores.items():
        tox = matrix[:, 0]
        pooled[name] = fit_policy(tox[fit_rows], toxic[fit_rows])
        entry: dict[str, Any] = {
            "pooled_thresholds": pooled[name],
            "pooled_report_all": rates(tox[report_rows], toxic[report_rows], pooled[name]),
            "pooled_report": {}, "per_source": {}}
        for s in SOURCES:
            fit_s, report_s = fit_rows & (source == s), report_rows & (source == s)
            if not (fit_s.any() and report_s.any()):
                continue
            entry["pooled_report"][s] = rates(tox[report_s], toxic[report_s], pooled[name])
            own = fit_policy(tox[fit_s], toxic[fit_s])
            entry["per_source"][s] = {"thresholds": own,
                                      "report": rates(tox[report_s], toxic[report_s], own)}
        report["policy"][name] = entry
    report["clean_subgroups_report"] = _subgroups(table, index, scores, pooled)
    report["probes"] = {name: probe_outcomes(probe_ids, matrix, pooled[name])
                        for name, matrix in probe_scores.items() if name in pooled}
    return report


def _subgroups(table: Table, index: np.ndarray, scores: Mapping[str, np.ndarray],
               pooled: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    """Clean-held rates of clean report comments by identity term / mild profanity."""
    texts = [table.texts[i] for i in index]
    identity = np.array([bool(IDENTITY_RE.search(t)) for t in texts], dtype=bool)
    profanity = np.array([bool(MILD_PROFANITY_RE.search(t)) for t in texts], dtype=bool)
    clean_report = (table.split[index] == "report") & (table.toxic[index] < 0.5)
    groups = {"identity_term": identity, "mild_profanity": profanity,
              "neither": ~identity & ~profanity}
    out: dict[str, Any] = {}
    for group, members in groups.items():
        for suffix, rows in (("", clean_report & members),
                             *((f"_{s}", clean_report & members & (table.source[index] == s))
                               for s in ("civil", "fox"))):
            out[group + suffix] = {"n": int(rows.sum()), **{
                name: float((matrix[rows, 0] >= pooled[name]["hold"]).mean()) if rows.any()
                else None for name, matrix in scores.items()}}
    return out


def probe_outcomes(probe_ids: list[str], scores: np.ndarray,
                   policy: Mapping[str, float]) -> dict[str, Any]:
    """Published / held / rejected counts of each probe set, and the pairs' score gaps."""
    kinds = np.array([id_.split(":")[1] for id_ in probe_ids])
    tox, threat = scores[:, 0], scores[:, LABELS.index("threat")]
    out: dict[str, Any] = {}
    for kind in ("threat", "threat_veiled", "violence_civil", "idiom_civil",
                 "political_civil"):
        rows = kinds == kind
        if not rows.any():
            continue
        out[kind] = {"n": int(rows.sum()),
                     "toxicity_median": float(np.median(tox[rows])),
                     "toxicity_min": float(tox[rows].min()),
                     "threat_head_median": float(np.median(threat[rows])),
                     "published": int((tox[rows] < policy["hold"]).sum()),
                     "held": int(((tox[rows] >= policy["hold"]) &
                                  (tox[rows] < policy["reject"])).sum()),
                     "rejected": int((tox[rows] >= policy["reject"]).sum())}
    a, b = tox[kinds == "pair_a"], tox[kinds == "pair_b"]
    if len(a) and len(a) == len(b):
        out["identity_pairs"] = {"n_pairs": len(a), "mean_abs_diff": float(np.abs(a - b).mean()),
                                 "max_abs_diff": float(np.abs(a - b).max()),
                                 "held_a": int((a >= policy["hold"]).sum()),
                                 "held_b": int((b >= policy["hold"]).sum())}
    return out


def summary_lines(report: Mapping[str, Any]) -> list[str]:
    """A few human-readable lines per model (figures only)."""
    lines = []
    for name, parts in report["auc"].items():
        aucs = parts["report"]
        means = " ".join(f"{s} {_mean(a):.4f}" for s, a in aucs.items())
        policy = report["policy"][name]
        thresholds, overall = policy["pooled_thresholds"], policy["pooled_report_all"]
        lines.append(f"{name}: report-half mean AUC {means}")
        lines.append(f"{name}: policy fitted on fit halves hold {thresholds['hold']:.3f} reject "
                     f"{thresholds['reject']:.3f}; on report halves toxic published "
                     f"{_percent(overall['toxic_published'])}, clean held or rejected "
                     f"{_percent(overall['clean_not_published'])}")
        probes = report["probes"].get(name, {})
        if "threat" in probes and "violence_civil" in probes:
            lines.append(f"{name}: probes: threats published {probes['threat']['published']}/"
                         f"{probes['threat']['n']}, civil violence held or rejected "
                         f"{probes['violence_civil']['n'] - probes['violence_civil']['published']}"
                         f"/{probes['violence_civil']['n']}")
    return lines


def _mean(aucs: Mapping[str, float]) -> float:
    values = [v for v in aucs.values() if not np.isnan(v)]
    return float(np.mean(values)) if values else float("nan")


def _percent(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{100 * value:.2f}%"
