"""A model's calibration and the policy of each site target, fitted and reported apart.

``moderation model targets`` scores the held-out halves of every source
(``modelkit.sources``) and the probes (``modelkit.probes``) with the configured
model, raw, and then:

1. fits isotonic maps per label on the ``fit`` halves (``modelkit.calibration``),
   each source weighing the same, so that scores read as probabilities;
2. for each target (at most 1%, 2% or 5% of the toxic comments published, each source
   weighing the same) fits a toxicity-led policy on the calibrated ``fit`` halves:
   ``toxicity`` decides publish against hold; ``severe_toxicity``, ``threat`` and
   ``identity_attack`` also hold, but only above where 99.5% of the clean comments lie
   (a safety net outside the dense part of the clean distribution); ``obscene`` and
   ``insult`` hold only where they reject, so that mild profanity alone holds nothing;
   every label rejects where 99% of the comments it would reject are toxic;
3. reports each policy on the ``report`` halves only: toxic published and clean held
   per source and pooled, the clean-held rate of comments naming an identity group or
   with mild profanity against the rest, and the probes' outcomes.

Numpy only; the texts are matched by regular expressions, never printed or stored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from modelkit.augment import IDENTITY_RE, MILD_PROFANITY_RE
from modelkit.calibrate import fit_reject
from modelkit.calibration import fit_calibration
from modelkit.report import source_aucs
from modelkit.sources import LABELS, SOURCES, Table
from workers.scoring.calibration import Calibration

TARGETS = (0.01, 0.02, 0.05)
"""Largest shares of the toxic comments a site may choose to see published."""
SAFETY_NET = ("severe_toxicity", "threat", "identity_attack")
CLEAN_TAIL = 0.005
"""A safety-net label holds only the top 0.5% of clean comments' scores or above."""
MIN_PRECISION = 0.99
DECIMALS = 4


@dataclass(frozen=True)
class TargetPolicy:
    """The thresholds fitted for one target (calibrated scores)."""

    target: float
    hold: dict[str, float]
    reject: dict[str, float]

    def outcomes(self, scores: np.ndarray) -> np.ndarray:
        """``approved``, ``held`` or ``rejected`` per row of ``scores`` (``LABELS`` columns)."""
        reject = np.zeros(len(scores), bool)
        hold = np.zeros(len(scores), bool)
        for column, label in enumerate(LABELS):
            reject |= scores[:, column] >= self.reject.get(label, 1.01)
            hold |= scores[:, column] >= self.hold.get(label, 1.01)
        return np.where(reject, "rejected", np.where(hold, "held", "approved"))


def source_weights(source: np.ndarray) -> np.ndarray:
    """Per row, ``1 / rows of its source``: every source weighs the same in a pooled figure."""
    weights = np.zeros(len(source))
    for name in np.unique(source):
        rows = source == name
        weights[rows] = 1.0 / rows.sum()
    return weights


def calibrate(table: Table, index: np.ndarray, raw: np.ndarray) -> dict[str, Any]:
    """Isotonic maps fitted on the rows ``index`` (``raw``: their scores, ``LABELS`` order).

    ``toxicity`` is fitted against each source's binary toxic label; the other labels
    against their own targets where the source labels them.
    """
    truth = {}
    for column, label in enumerate(LABELS):
        known = table.mask[index, column] > 0
        values = table.toxic[index] if column == 0 else table.targets[index, column]
        truth[label] = np.where(known, values, np.nan)
    return fit_calibration({label: raw[:, c] for c, label in enumerate(LABELS)}, truth,
                           weights=source_weights(table.source[index]))


def calibrated(calibration: Mapping[str, Any] | Calibration | None,
               raw: np.ndarray) -> np.ndarray:
    """``raw`` through the maps, as the scorer applies them (``workers.scoring.calibration``);
    ``raw`` itself without a calibration."""
    if calibration is None:
        return raw
    if not isinstance(calibration, Calibration):
        calibration = Calibration.from_json(json.dumps(calibration))
    rows = calibration.apply_all([dict(zip(LABELS, map(float, row), strict=True))
                                  for row in raw])
    return np.array([[row[label] for label in LABELS] for row in rows])


def fit_target(scores: np.ndarray, toxic: np.ndarray, source: np.ndarray,
               target: float) -> TargetPolicy:
    """The toxicity-led policy that publishes at most ``target`` of the toxic (see module)."""
    clean = ~toxic
    hold: dict[str, float] = {}
    reject_scores = {label: scores[:, c] for c, label in enumerate(LABELS)}
    for column, label in enumerate(LABELS):
        if label in SAFETY_NET:
            hold[label] = _round_up(float(np.quantile(scores[clean, column], 1 - CLEAN_TAIL)))
    caught = np.zeros(len(toxic), bool)
    for label, value in hold.items():
        caught |= scores[:, LABELS.index(label)] >= value
    hold["toxicity"] = _pivot(scores[:, 0], toxic, caught, source_weights(source), target)
    reject = fit_reject(reject_scores, toxic, MIN_PRECISION, floor=hold, decimals=DECIMALS)
    for label in ("obscene", "insult"):
        hold[label] = reject[label]
    return TargetPolicy(target, {label: hold[label] for label in LABELS}, reject)


def _pivot(toxicity: np.ndarray, toxic: np.ndarray, caught: np.ndarray, weights: np.ndarray,
           target: float) -> float:
    """The highest toxicity threshold whose published toxic weigh at most ``target``."""
    rows = toxic & ~caught
    order = np.argsort(toxicity[rows], kind="stable")
    values, mass = toxicity[rows][order], np.cumsum(weights[rows][order])
    budget = target * weights[toxic].sum()
    # publishing every row below values[k] lets mass[k - 1] through
    allowed = int(np.searchsorted(mass, budget, side="right"))
    if allowed >= len(values):
        return 1.0
    return float(np.floor(values[allowed] * 10**DECIMALS) / 10**DECIMALS)


def _round_up(value: float) -> float:
    return min(1.0, float(np.ceil(value * 10**DECIMALS) / 10**DECIMALS))


def rates(outcomes: np.ndarray, toxic: np.ndarray, weights: np.ndarray) -> dict[str, float]:
    """Weighted shares: toxic published, clean held, clean rejected (and the counts)."""
    def share(flags: np.ndarray, rows: np.ndarray) -> float:
        total = weights[rows].sum()
        return float(weights[rows & flags].sum() / total) if total else float("nan")

    clean = ~toxic
    return {"n_toxic": int(toxic.sum()), "n_clean": int(clean.sum()),
            "toxic_published": share(outcomes == "approved", toxic),
            "clean_held": share(outcomes == "held", clean),
            "clean_rejected": share(outcomes == "rejected", clean)}


def report_policy(policy: TargetPolicy, table: Table, index: np.ndarray,
                  scores: np.ndarray) -> dict[str, Any]:
    """The policy's rates on the rows ``index``: pooled (sources equal), per source, subgroups."""
    toxic, source = table.toxic[index] >= 0.5, table.source[index]
    outcomes = policy.outcomes(scores)
    out: dict[str, Any] = {"pooled": rates(outcomes, toxic, source_weights(source)),
                           "per_source": {}}
    for name in SOURCES:
        rows = source == name
        if rows.any():
            out["per_source"][name] = rates(outcomes[rows], toxic[rows], np.ones(rows.sum()))
    texts = [table.texts[i] for i in index]
    identity = np.array([bool(IDENTITY_RE.search(t)) for t in texts], bool)
    profanity = np.array([bool(MILD_PROFANITY_RE.search(t)) for t in texts], bool)
    held = outcomes != "approved"
    out["clean_held_by_group"] = {
        group: {"n": int((~toxic & members).sum()),
                "held": float(held[~toxic & members].mean()) if (~toxic & members).any()
                else float("nan")}
        for group, members in (("identity_term", identity), ("mild_profanity", profanity),
                               ("neither", ~identity & ~profanity))}
    return out


def probe_report(policy: TargetPolicy, probe_ids: Sequence[str],
                 scores: np.ndarray) -> dict[str, dict[str, int]]:
    """Per probe kind (``threat``, ``violence_civil``, ``pair_a``, ``pair_b``), outcome counts."""
    kinds = np.array([id_.split(":")[1] for id_ in probe_ids])
    outcomes = policy.outcomes(scores)
    return {kind: {outcome: int(((kinds == kind) & (outcomes == outcome)).sum())
                   for outcome in ("approved", "held", "rejected")}
            for kind in dict.fromkeys(kinds.tolist())}


def report_in_force(hold: Mapping[str, float], reject: Mapping[str, float], table: Table,
                    index: np.ndarray, served: np.ndarray, probe_ids: Sequence[str],
                    probe_served: np.ndarray) -> dict[str, Any]:
    """The thresholds in force on the scores as the scorer serves them (report rows only)."""
    policy = TargetPolicy(float("nan"), dict(hold), dict(reject))
    rows = table.split[index] == "report"
    return {"hold": dict(hold), "reject": dict(reject),
            "report": report_policy(policy, table, index[rows], served[rows]),
            "probes": probe_report(policy, probe_ids, probe_served)}


def fit_and_report(table: Table, index: np.ndarray, raw: np.ndarray, probe_ids: Sequence[str],
                   probe_raw: np.ndarray, targets: Sequence[float] = TARGETS) -> dict[str, Any]:
    """Calibration and target policies fitted on the ``fit`` rows, reported on ``report``.

    Args:
        table: the sources.
        index: the held-out rows scored (``fit`` and ``report`` halves).
        raw: their raw scores, ``(len(index), 6)`` in ``LABELS`` order.
        probe_ids, probe_raw: the probes and their raw scores.

    Returns:
        ``{"labels": maps, "targets": {...}, "auc_report": {...}}``: a calibration file
        (``workers.scoring.calibration`` reads ``labels``) with the figures beside it.
    """
    split = table.split[index]
    fit_rows, report_rows = split == "fit", split == "report"
    calibration = calibrate(table, index[fit_rows], raw[fit_rows])
    scores, probe_scores = calibrated(calibration, raw), calibrated(calibration, probe_raw)
    toxic, source = table.toxic[index] >= 0.5, table.source[index]
    fitted: dict[str, Any] = {}
    for target in targets:
        policy = fit_target(scores[fit_rows], toxic[fit_rows], source[fit_rows], target)
        clean_fit = fit_rows & ~toxic
        fitted[f"{target:g}"] = {
            "hold": policy.hold, "reject": policy.reject,
            "clean_fit_above_hold": {label: float((scores[clean_fit, c] >= policy.hold[label])
                                                  .mean()) for c, label in enumerate(LABELS)},
            "report": report_policy(policy, table, index[report_rows], scores[report_rows]),
            "probes": probe_report(policy, probe_ids, probe_scores),
        }
    return {**calibration, "targets": fitted,
            "auc_report": source_aucs(table, index[report_rows], raw[report_rows], 5)}


def score_raw(scorer: Any, texts: Sequence[str], progress: bool = False) -> np.ndarray:
    """``(len(texts), 6)`` scores of ``scorer`` without its calibration, ``LABELS`` order.

    A label the model lacks is NaN.
    """
    from modelkit.evaluate import score_texts

    calibration, scorer.calibration = scorer.calibration, None
    try:
        scores = score_texts(scorer, list(texts), progress=progress)
    finally:
        scorer.calibration = calibration
    return np.stack([scores.get(label, np.full(len(texts), np.nan)) for label in LABELS], 1)


def summary_lines(result: Mapping[str, Any]) -> list[str]:
    """A line per target (and for the thresholds in force): their cost on the report halves."""
    lines = []
    named = {f"target {100 * float(t):g}%": fitted for t, fitted in result["targets"].items()}
    if "in_force" in result:
        named["thresholds in force"] = result["in_force"]
    for name, fitted in named.items():
        pooled = fitted["report"]["pooled"]
        per_source = ", ".join(f"{s} {100 * r['clean_held']:.1f}%"
                               for s, r in fitted["report"]["per_source"].items())
        threats = fitted["probes"].get("threat", {})
        lines.append(
            f"{name}: hold toxicity >= {fitted['hold']['toxicity']:.4f}; "
            f"report halves: toxic published {100 * pooled['toxic_published']:.2f}%, clean held "
            f"{100 * pooled['clean_held']:.2f}% ({per_source}); probe threats published "
            f"{threats.get('approved', 0)}/{sum(threats.values())}")
    return lines
