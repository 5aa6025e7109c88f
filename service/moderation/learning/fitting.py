"""Fitting a candidate with scikit-learn: a balanced logistic regression over the sentence
vector and the score logits (standardised), its regularisation and the score logits' weight
chosen by cross-validation (``LogisticRegressionCV``, ROC AUC), and its thresholds chosen on
out-of-fold probabilities for the site's target.

Only the building of candidates imports this (``learning.building``: the command, and the
adapt job of a worker); what scores comments applies the stored coefficients with numpy
(``vector_head``), and an import-linter contract keeps scikit-learn off that path.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy

from service.moderation.learning.head import NEVER, forced
from service.moderation.learning.labels import Labelled
from service.moderation.learning.targets import SiteTarget, bands
from service.moderation.learning.vector_head import VectorHead, features
from service.policy import LABELS, Outcome, Policy

CS = tuple(float(c) for c in numpy.logspace(-4, 1, 11))
"""The inverse regularisation strengths the cross-validation chooses from."""
SCORE_WEIGHTS = (1.0, 5.0, 20.0)
"""How much the six standardised score logits are weighed up against the vector's hundreds
of dimensions, which share one penalty: chosen with C by the cross-validation (on a news
site, 20 helped middle layers most: docs/model.md)."""
FOLDS = 5
MAX_ITER = 3000


def feature_matrix(rows: Sequence[Labelled], labels: Sequence[str]) -> Any:
    return numpy.stack([features(row.scores, row.vector, labels) for row in rows])


def fit_vector_head(rows: Sequence[Labelled], policy: Policy, target: SiteTarget, space: str,
                    seed: int = 0) -> tuple[VectorHead, Any]:
    """The head fitted on ``rows`` (each with its vector in ``space``) and its out-of-fold
    probabilities, with bands meeting ``target`` on them.

    Raises:
        ValueError: when the rows hold one kind of decision, or too few of one kind for
            the cross-validation's folds (two).
    """
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    labels = tuple(label for label in LABELS if all(label in row.scores for row in rows))
    rejected = numpy.asarray([row.rejected for row in rows], dtype=bool)
    fewest = int(min(rejected.sum(), (~rejected).sum()))
    if fewest < 2:
        raise ValueError("a candidate needs at least two approved and two rejected comments")
    x, y = feature_matrix(rows, labels), rejected.astype(int)
    folds = StratifiedKFold(n_splits=min(FOLDS, fewest), shuffle=True, random_state=seed)
    scaler = StandardScaler().fit(x)
    best: tuple[float, float, Any] | None = None
    # one thread: the fits are small, and a worker shares its cores
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lbfgs' convergence notes on the weakest penalties
        for weight in SCORE_WEIGHTS:
            scaled = scaler.transform(x)
            scaled[:, -len(labels):] *= weight
            search = LogisticRegressionCV(
                Cs=list(CS), cv=folds, class_weight="balanced", scoring="roc_auc",
                l1_ratios=(0.0,), max_iter=MAX_ITER, use_legacy_attributes=False)
            search.fit(scaled, y)
            score = float(numpy.max(numpy.mean(search.scores_, axis=0)))
            if best is None or score > best[0]:
                best = (score, weight, search)
        assert best is not None
        _, weight, model = best
        c = float(numpy.ravel(model.C_)[0])
        scale = scaler.scale_.astype(float).copy()
        scale[-len(labels):] /= weight  # (x - mean) / scale * weight, in one division
        out_of_fold = numpy.zeros(len(rows))
        for fit_rows, predict_rows in folds.split(x, y):
            part = StandardScaler().fit(x[fit_rows])
            part_scale = part.scale_.copy()
            part_scale[-len(labels):] /= weight
            fold = LogisticRegression(C=c, class_weight="balanced", max_iter=MAX_ITER).fit(
                (x[fit_rows] - part.mean_) / part_scale, y[fit_rows])
            out_of_fold[predict_rows] = fold.predict_proba(
                (x[predict_rows] - part.mean_) / part_scale)[:, 1]
    head = VectorHead(space, labels, scaler.mean_.astype(float), scale,
                      numpy.ravel(model.coef_).astype(float),
                      float(numpy.ravel(model.intercept_)[0]), NEVER, NEVER, c, weight)
    hold, reject = bands(target, out_of_fold.tolist(), rejected.tolist(),
                         [row.live_outcome == Outcome.APPROVED for row in rows],
                         [forced(row.scores, policy, row.body) is not None for row in rows])
    return head.with_bands(hold, reject), out_of_fold
