"""Reading labelled data, the validation split, ROC-AUC and the threshold search."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from modelkit.calibrate import apply_hold, apply_reject, fit_hold, fit_reject
from modelkit.data import read_labelled_csv, select_split, validation_mask
from modelkit.metrics import decision_table, mean_auc, rejection_precision, roc_auc


def test_roc_auc_counts_ties_as_half_and_skips_unlabelled() -> None:
    assert roc_auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])) == 0.75
    assert roc_auc(np.array([0, 1]), np.array([0.5, 0.5])) == 0.5
    assert roc_auc(np.array([0, 1, np.nan]), np.array([0.1, 0.9, 0.0])) == 1.0
    assert math.isnan(roc_auc(np.array([0, 0]), np.array([0.1, 0.2])))
    assert mean_auc({"a": 0.9, "b": float("nan"), "c": 0.7}) == pytest.approx(0.8)


def test_csv_with_some_label_columns_and_unlabelled_cells(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("comment_text,toxic,threat\nhello,0,\nbad,1,-1\nfine,0,0\n")
    data = read_labelled_csv(path)
    assert data.ids == ["0", "1", "2"]
    assert set(data.labels) == {"toxicity", "threat"}
    assert np.isnan(data.labels["threat"][:2]).all()
    assert data.toxic().tolist() == [0.0, 1.0, 0.0]
    with pytest.raises(ValueError, match="missing"):
        data.matrix()
    (tmp_path / "bad.csv").write_text("text,toxic\nx,1\n")
    with pytest.raises(ValueError, match="comment_text"):
        read_labelled_csv(tmp_path / "bad.csv")


def test_validation_split_is_stable_and_near_its_fraction() -> None:
    ids = [f"id{number}" for number in range(4000)]
    mask = validation_mask(ids, seed=0)
    assert 0.13 < mask.mean() < 0.17
    assert (validation_mask(ids[::-1], seed=0) == mask[::-1]).all()
    assert (validation_mask(ids, seed=1) != mask).any()


def test_select_split_parts_are_disjoint(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("id,comment_text,toxic\n" + "".join(f"r{n},text,{n % 2}\n" for n in range(200)))
    data = read_labelled_csv(path)
    train, validation = select_split(data, "train"), select_split(data, "validation")
    assert len(train) + len(validation) == 200
    assert not set(train.ids) & set(validation.ids)


def test_decision_table_counts_and_rates() -> None:
    table = decision_table(np.array([1.0, 1.0, 0.0, 0.0, np.nan]),
                           ["rejected", "held", "approved", "rejected", "approved"])
    assert table["toxic"]["n"] == 2 and table["clean"]["n"] == 2
    assert table["toxic"]["rejected"] == {"count": 1, "rate": 0.5}
    assert table["clean"]["approved"]["count"] == 1
    assert rejection_precision(table) == 0.5


def _synthetic(seed: int = 0, count: int = 2000) -> tuple[dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    toxic = rng.random(count) < 0.25
    noise = rng.random((count, 3))
    scores = {
        "toxicity": np.clip(np.where(toxic, 0.6, 0.2) + 0.3 * (noise[:, 0] - 0.5), 0, 1),
        "insult": np.clip(np.where(toxic, 0.5, 0.1) + 0.5 * (noise[:, 1] - 0.5), 0, 1),
        "threat": noise[:, 2] * 0.1,
    }
    return scores, toxic


def test_hold_thresholds_keep_within_the_allowance() -> None:
    scores, toxic = _synthetic()
    fit = fit_hold(scores, toxic, max_let_through=0.02)
    assert fit.let_through <= 0.02 * toxic.sum()
    assert apply_hold(scores, toxic, fit.thresholds) == (fit.let_through, fit.clean_held)
    only_toxicity = fit_hold({"toxicity": scores["toxicity"]}, toxic, 0.02)
    assert fit.clean_held <= only_toxicity.clean_held
    assert fit.thresholds["threat"] == 0.5  # a useless label only holds what it finds likely
    assert max(fit_hold(scores, toxic, 0.02, cap=0.3).thresholds.values()) <= 0.3


def test_reject_thresholds_are_precise() -> None:
    scores, toxic = _synthetic()
    reject = fit_reject(scores, toxic, min_precision=0.98)
    rejected_toxic, rejected_clean = apply_reject(scores, toxic, reject)
    assert rejected_toxic > 0
    assert rejected_toxic >= 0.98 * (rejected_toxic + rejected_clean)
    for label, threshold in reject.items():
        if threshold < 1.0:
            chosen = scores[label] >= threshold
            assert toxic[chosen].mean() >= 0.98
    assert reject["threat"] == 1.0
    floor = {"toxicity": 0.99, "insult": 0.0, "threat": 0.0}
    assert fit_reject(scores, toxic, 0.98, floor=floor)["toxicity"] >= 0.99
