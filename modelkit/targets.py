"""A model's calibration and the policy of each site target, fitted and reported apart.

``moderation model targets`` scores the held-out halves of every source
(``modelkit.sources``) and the probes (``modelkit.probes``) with the configured
model, raw, and then:

1. fits isotonic maps per label on the ``fit`` halves (``modelkit.calibration``),
   each source weighing the same, so that scores read as probabilities;
2. fits each target's policy on the calibrated ``fit`` half of the natural-balance news
   comments (``news``) alone, the product's own domain, so that no source the model
   cannot separate (the toxic-selected Civil Comments posts, Fox News' broad label)
   sets the threshold for all of them. Two kinds of target:

   * a *queue budget* holds at most that share of civil news comments (2%, 5%, 10%),
     publishing as few toxic ones as that allows;
   * a *safety target* publishes at most that share of toxic news comments (5%, 10%,
     20%; 1% and 2% for sites that chose them before), holding as few civil ones as
     that allows.

   ``toxicity`` decides publish against hold; the safety nets ``severe_toxicity``,
   ``threat`` and ``identity_attack`` hold at every target, above where 99.5% of the
   clean comments of every source lie; ``obscene`` and ``insult`` hold only where they
   reject, so that mild profanity alone holds nothing; every label rejects where 99% of
   the comments it would reject are toxic;
3. reports each policy on the ``report`` halves only, each source apart (the news part
   first): civil comments held (never counted on the toxic-selected ``civil`` posts, and
   on news only on the ``random`` and ``balanced_clean`` rows, which are random among
   clean comments), toxic comments published, severe ones (threat, severe toxicity,
   identity attack) apart again, bootstrap intervals on the news figures, and the
   probes' outcomes.

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

QUEUE_BUDGETS = (0.02, 0.05, 0.10)
"""Largest shares of the civil news comments a site may choose to see held."""
SAFETY_TARGETS = (0.01, 0.02, 0.05, 0.10, 0.20)
"""Largest shares of the toxic news comments a site may choose to see published."""
FIT_SOURCE = "news"
CLEAN_SELECTIONS = ("random", "balanced_clean")
"""The news rows drawn at random among clean comments (``group`` is the selection)."""
SAFETY_NET = ("severe_toxicity", "threat", "identity_attack")
CLEAN_TAIL = 0.005
"""A safety-net label holds only the top 0.5% of clean comments' scores or above."""
MIN_PRECISION = 0.99
DECIMALS = 4
BOOTSTRAP = 1000


def target_name(kind: str, level: float) -> str:
    """``"queue 5%"`` or ``"safety 10%"``: how sites and ``service.policy`` name a target."""
    return f"{kind} {100 * level:g}%"


@dataclass(frozen=True)
class TargetPolicy:
    """The thresholds fitted for one target (calibrated scores)."""

    name: str
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


def clean_rows(table: Table, index: np.ndarray) -> np.ndarray:
    """Per row of ``index``: a clean comment drawn at random among clean ones.

    Never a toxic-selected ``civil`` post (its low shares are borderline), and on news
    only the ``random`` and ``balanced_clean`` rows.
    """
    source = table.source[index]
    group = np.array([table.group[i] for i in index], dtype=object)
    return ((table.toxic[index] < 0.5) & (source != "civil")
            & ((source != "news") | np.isin(group, CLEAN_SELECTIONS)))


def severe_rows(table: Table, index: np.ndarray) -> np.ndarray:
    """Per row of ``index``: toxic, and labelled a threat, severe toxicity or identity attack."""
    columns = [LABELS.index(label) for label in SAFETY_NET]
    labelled = (table.targets[index][:, columns] >= 0.5) & (table.mask[index][:, columns] > 0)
    return (table.toxic[index] >= 0.5) & labelled.any(axis=1)


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


def fit_target(scores: np.ndarray, toxic: np.ndarray, clean: np.ndarray, news: np.ndarray,
               kind: str, level: float) -> TargetPolicy:
    """The policy of one target, fitted on the calibrated ``scores`` of the ``fit`` rows.

    Args:
        scores: ``(n, 6)`` calibrated scores, ``LABELS`` order.
        toxic, clean: per row (``clean_rows``; a row may be neither).
        news: per row, whether it is a news comment (the rows the toxicity threshold
            is fitted on).
        kind: ``queue`` (hold at most ``level`` of the civil news comments) or ``safety``
            (publish at most ``level`` of the toxic news comments).
    """
    hold: dict[str, float] = {}
    for column, label in enumerate(LABELS):
        if label in SAFETY_NET:
            hold[label] = _round_up(float(np.quantile(scores[clean, column], 1 - CLEAN_TAIL)))
    caught = np.zeros(len(scores), bool)
    for label, value in hold.items():
        caught |= scores[:, LABELS.index(label)] >= value
    toxicity = scores[:, 0]
    if kind == "queue":
        hold["toxicity"] = _queue_threshold(toxicity[news & clean], caught[news & clean], level)
    else:
        hold["toxicity"] = _safety_threshold(toxicity[news & toxic], caught[news & toxic], level)
    reject = fit_reject({label: scores[:, c] for c, label in enumerate(LABELS)}, toxic,
                        MIN_PRECISION, floor=hold, decimals=DECIMALS)
    for label in ("obscene", "insult"):
        hold[label] = reject[label]
    return TargetPolicy(target_name(kind, level), {label: hold[label] for label in LABELS},
                        reject)


def _queue_threshold(toxicity: np.ndarray, caught: np.ndarray, budget: float) -> float:
    """The lowest toxicity threshold that holds at most ``budget`` of these clean rows,
    ``caught`` ones (held by a safety net) included."""
    allowed = int(np.floor(budget * len(toxicity))) - int(caught.sum())
    free = np.sort(toxicity[~caught])[::-1]
    if allowed < 0 or not len(free):
        return 1.0
    if allowed >= len(free):
        return 0.0
    # hold the ``allowed`` highest; the next one (free[allowed]) must stay below
    threshold = _round_up(float(free[allowed]))
    return threshold if threshold > free[allowed] else min(1.0, threshold + 10**-DECIMALS)


def _safety_threshold(toxicity: np.ndarray, caught: np.ndarray, target: float) -> float:
    """The highest toxicity threshold that publishes at most ``target`` of these toxic rows
    (those ``caught`` by a safety net are held anyway)."""
    values = np.sort(toxicity[~caught])
    allowed = int(np.floor(target * len(toxicity)))
    if allowed >= len(values):
        return 1.0
    # publishing every row below values[allowed] lets ``allowed`` rows through
    return float(np.floor(values[allowed] * 10**DECIMALS) / 10**DECIMALS)


def _round_up(value: float) -> float:
    return min(1.0, float(np.ceil(value * 10**DECIMALS) / 10**DECIMALS))


def rates(outcomes: np.ndarray, toxic: np.ndarray, clean: np.ndarray,
          severe: np.ndarray) -> dict[str, float]:
    """Civil held (or rejected), toxic published, severe published, and the counts."""
    def share(flags: np.ndarray, rows: np.ndarray) -> float:
        return float(flags[rows].mean()) if rows.any() else float("nan")

    published = outcomes == "approved"
    return {"n_toxic": int(toxic.sum()), "n_clean": int(clean.sum()),
            "n_severe": int(severe.sum()),
            "clean_held": share(~published, clean),
            "clean_rejected": share(outcomes == "rejected", clean),
            "toxic_published": share(published, toxic),
            "severe_published": share(published, severe)}


def _interval(outcomes: np.ndarray, rows: np.ndarray, flag: str | None,
              rng: np.random.Generator) -> list[float]:
    """A 95% bootstrap interval of the share of ``rows`` whose outcome is ``flag`` (None:
    not approved)."""
    hits = (outcomes[rows] == flag) if flag else (outcomes[rows] != "approved")
    if not len(hits):
        return [float("nan"), float("nan")]
    draws = rng.integers(0, len(hits), (BOOTSTRAP, len(hits)))
    shares = hits[draws].mean(axis=1)
    return [float(np.quantile(shares, 0.025)), float(np.quantile(shares, 0.975))]


def report_policy(policy: TargetPolicy, table: Table, index: np.ndarray,
                  scores: np.ndarray) -> dict[str, Any]:
    """The policy's rates on the rows ``index``, each source apart (news first), with
    bootstrap intervals on the news figures and the civil-held rate by subgroup."""
    toxic, clean, severe = table.toxic[index] >= 0.5, clean_rows(table, index), severe_rows(
        table, index)
    source = table.source[index]
    group = np.array([table.group[i] for i in index], dtype=object)
    outcomes = policy.outcomes(scores)
    out: dict[str, Any] = {"per_source": {}}
    parts = [("news", source == "news"), ("news_random", (source == "news") & (group == "random"))]
    parts += [(name, source == name) for name in SOURCES if name != "news"]
    for name, rows in parts:
        if rows.any():
            out["per_source"][name] = rates(outcomes[rows], toxic[rows], clean[rows],
                                            severe[rows])
    news = source == "news"
    rng = np.random.default_rng(0)
    out["news_intervals"] = {"clean_held": _interval(outcomes, news & clean, None, rng),
                             "toxic_published": _interval(outcomes, news & toxic, "approved",
                                                          rng)}
    out["severe_published"] = rates(outcomes, toxic, clean, severe)["severe_published"]
    texts = [table.texts[i] for i in index]
    identity = np.array([bool(IDENTITY_RE.search(t)) for t in texts], bool)
    profanity = np.array([bool(MILD_PROFANITY_RE.search(t)) for t in texts], bool)
    held = outcomes != "approved"
    out["clean_held_by_group"] = {
        group_name: {"n": int((clean & members).sum()),
                     "held": float(held[clean & members].mean()) if (clean & members).any()
                     else float("nan")}
        for group_name, members in (("identity_term", identity), ("mild_profanity", profanity),
                                    ("neither", ~identity & ~profanity))}
    return out


def probe_report(policy: TargetPolicy, probe_ids: Sequence[str],
                 scores: np.ndarray) -> dict[str, dict[str, int]]:
    """Per probe kind (``threat``, ``violence_civil``, ``pair_a``, ``pair_b``,
    ``political_civil``, ``threat_veiled``, ``idiom_civil``), outcome counts."""
    kinds = np.array([id_.split(":")[1] for id_ in probe_ids])
    outcomes = policy.outcomes(scores)
    return {kind: {outcome: int(((kinds == kind) & (outcomes == outcome)).sum())
                   for outcome in ("approved", "held", "rejected")}
            for kind in dict.fromkeys(kinds.tolist())}


def report_in_force(hold: Mapping[str, float], reject: Mapping[str, float], table: Table,
                    index: np.ndarray, served: np.ndarray, probe_ids: Sequence[str],
                    probe_served: np.ndarray) -> dict[str, Any]:
    """The thresholds in force on the scores as the scorer serves them (report rows only)."""
    policy = TargetPolicy("in force", dict(hold), dict(reject))
    rows = table.split[index] == "report"
    return {"hold": dict(hold), "reject": dict(reject),
            "report": report_policy(policy, table, index[rows], served[rows]),
            "probes": probe_report(policy, probe_ids, probe_served)}


def fit_and_report(table: Table, index: np.ndarray, raw: np.ndarray, probe_ids: Sequence[str],
                   probe_raw: np.ndarray) -> dict[str, Any]:
    """Calibration and target policies fitted on the ``fit`` rows, reported on ``report``.

    Args:
        table: the sources.
        index: the held-out rows scored (``fit`` and ``report`` halves).
        raw: their raw scores, ``(len(index), 6)`` in ``LABELS`` order.
        probe_ids, probe_raw: the probes and their raw scores.

    Returns:
        ``{"labels": maps, "targets": {name: {...}}, "auc_report": {...}}``: a calibration
        file (``workers.scoring.calibration`` reads ``labels``) with the figures beside it.
    """
    split = table.split[index]
    fit_rows, report_rows = split == "fit", split == "report"
    calibration = calibrate(table, index[fit_rows], raw[fit_rows])
    scores, probe_scores = calibrated(calibration, raw), calibrated(calibration, probe_raw)
    toxic, clean = table.toxic[index] >= 0.5, clean_rows(table, index)
    news = table.source[index] == FIT_SOURCE
    fitted: dict[str, Any] = {}
    for kind, levels in (("queue", QUEUE_BUDGETS), ("safety", SAFETY_TARGETS)):
        for level in levels:
            policy = fit_target(scores[fit_rows], toxic[fit_rows], clean[fit_rows],
                                news[fit_rows], kind, level)
            fitted[policy.name] = {
                "hold": policy.hold, "reject": policy.reject,
                "report": report_policy(policy, table, index[report_rows],
                                        scores[report_rows]),
                "probes": probe_report(policy, probe_ids, probe_scores),
            }
    group = np.array([table.group[i] for i in index], dtype=object)
    stream = report_rows & news & (group == "random")
    return {**calibration, "targets": fitted,
            "auc_report": source_aucs(table, index[report_rows], raw[report_rows], 5),
            "auc_report_news_random": source_aucs(table, index[stream], raw[stream], 5)}


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
    """A line per target (and for the thresholds in force): their cost on the report halves,
    each source apart, the news part first."""
    lines = []
    named = dict(result["targets"])
    if "in_force" in result:
        named["thresholds in force"] = result["in_force"]
    for name, fitted in named.items():
        report = fitted["report"]
        sources = "; ".join(
            f"{source} " + ", ".join(part for part in (
                f"civil held {100 * rates['clean_held']:.1f}%" if rates["n_clean"] else "",
                f"toxic published {100 * rates['toxic_published']:.1f}%"
                if rates["n_toxic"] else "") if part)
            for source, rates in report["per_source"].items())
        probes = fitted["probes"]
        threats = probes.get("threat", {})
        political = probes.get("political_civil", {})
        veiled, idioms = probes.get("threat_veiled", {}), probes.get("idiom_civil", {})
        lines.append(
            f"{name}: hold toxicity >= {fitted['hold']['toxicity']:.4f}; {sources}; severe "
            f"published {100 * report['severe_published']:.1f}%; probe threats published "
            f"{threats.get('approved', 0)}/{sum(threats.values())}, veiled threats published "
            f"{veiled.get('approved', 0)}/{sum(veiled.values())}, civil political held "
            f"{sum(political.values()) - political.get('approved', 0)}/{sum(political.values())}"
            f", civil idioms held {sum(idioms.values()) - idioms.get('approved', 0)}/"
            f"{sum(idioms.values())}")
    return lines
