"""Measure a scorer on labelled comments: per-label ROC-AUC and the policy's decisions.

Scores come through the project's scorer (``workers.scoring.scorer``), so that what
is measured is what the workers run. The comment texts never appear in the output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from modelkit.data import LabelledData
from modelkit.metrics import auc_table, decision_table, mean_auc, rejection_precision


@dataclass(frozen=True)
class Evaluation:
    """The figures of one evaluation run."""

    auc: dict[str, float]
    positives: dict[str, int]
    decisions: dict[str, Any]
    model: str
    version: str
    comments: int

    def summary(self) -> dict[str, Any]:
        """The JSON object that ``moderation model eval`` prints last."""
        return {
            "auc": self.auc,
            "mean_auc": mean_auc(self.auc),
            "decisions": self.decisions,
            "model": self.model,
            "model_version": self.version,
            "comments": self.comments,
        }


def score_texts(scorer: Any, texts: Sequence[str], chunk: int = 256,
                progress: bool = True) -> dict[str, np.ndarray]:
    """Score ``texts`` in chunks (with a progress bar); label -> scores array."""
    from tqdm import tqdm

    rows: list[dict[str, float]] = []
    with tqdm(total=len(texts), desc="scoring", unit="comment", disable=not progress) as bar:
        for start in range(0, len(texts), chunk):
            part = texts[start:start + chunk]
            rows.extend(scorer.score(part))
            bar.update(len(part))
    return {label: np.array([row[label] for row in rows], dtype=np.float64)
            for label in scorer.labels}


def evaluate(data: LabelledData, scores: Mapping[str, np.ndarray], policy: Any,
             model: str = "", version: str = "") -> Evaluation:
    """AUCs of the labels both in ``data`` and ``scores``; decisions under ``policy``.

    The policy sees each comment's text too, so that its word lists apply as in the
    workers.
    """
    from service.policy import decide

    count = len(data)
    outcomes = [
        str(decide({label: float(values[i]) for label, values in scores.items()}, policy,
                   text=data.texts[i]).outcome)
        for i in range(count)
    ]
    decisions: dict[str, Any] = decision_table(data.toxic(), outcomes)
    decisions["rejected_toxic_share"] = rejection_precision(decisions)
    positives = {label: int(np.nansum(values)) for label, values in data.labels.items()
                 if label in scores}
    return Evaluation(auc_table(data.labels, scores), positives, decisions, model, version, count)


def format_report(evaluation: Evaluation) -> str:
    """The human-readable tables (no comment text)."""
    lines = [f"{'label':<18}{'ROC-AUC':>9}{'positives':>11}"]
    for label, value in evaluation.auc.items():
        lines.append(f"{label:<18}{value:>9.4f}{evaluation.positives[label]:>11}")
    lines.append(f"{'mean':<18}{mean_auc(evaluation.auc):>9.4f}")
    lines.append("")
    lines.append("decisions under the configured policy (toxic = any label is 1):")
    lines.append(f"{'':<8}{'n':>7}{'published':>18}{'held':>18}{'rejected':>18}")
    for group in ("toxic", "clean"):
        row = evaluation.decisions[group]
        cells = "".join(
            f"{row[outcome]['count']:>9} ({_percent(row[outcome]['rate'])})"
            for outcome in ("approved", "held", "rejected")
        )
        lines.append(f"{group:<8}{row['n']:>7}{cells}")
    share = evaluation.decisions["rejected_toxic_share"]
    lines.append(f"toxic among the rejected: {_percent(share)}")
    return "\n".join(lines)


def _percent(rate: float) -> str:
    return "    n/a" if np.isnan(rate) else f"{100 * rate:6.2f}%"
