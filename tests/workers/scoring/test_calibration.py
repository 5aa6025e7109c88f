"""Calibration maps raw scores to probabilities, monotonically, and is read back as written."""

from __future__ import annotations

import json

import numpy as np
import pytest

from modelkit.calibration import fit_calibration
from workers.scoring.calibration import Calibration, LabelMap


def test_a_map_interpolates_between_knots_and_clips_outside() -> None:
    label_map = LabelMap((0.1, 0.5, 0.9), (0.0, 0.2, 1.0))

    assert label_map(0.3) == pytest.approx(0.1, abs=1e-5)
    assert label_map(0.7) == pytest.approx(0.6, abs=1e-5)
    assert label_map(0.0) == pytest.approx(0.0, abs=1e-5)
    assert label_map(1.0) == pytest.approx(1.0, abs=1e-5)


def test_a_map_keeps_the_order_of_scores_even_where_it_is_flat() -> None:
    label_map = LabelMap((0.0, 0.4, 0.6, 1.0), (0.0, 0.3, 0.3, 1.0))

    assert label_map(0.45) < label_map(0.55)


def test_a_decreasing_map_is_refused() -> None:
    with pytest.raises(ValueError, match="non-decreasing"):
        LabelMap((0.0, 1.0), (0.8, 0.2))


def test_labels_without_a_map_keep_their_raw_score() -> None:
    calibration = Calibration({"toxicity": LabelMap((0.0, 1.0), (0.0, 0.5))})

    assert calibration({"toxicity": 0.5, "threat": 0.7}) == pytest.approx(
        {"toxicity": 0.25, "threat": 0.7}, abs=1e-5)


def test_a_fitted_calibration_reads_back_and_matches_the_observed_rates(tmp_path) -> None:
    rng = np.random.default_rng(0)
    raw = rng.uniform(size=20000)
    truth = rng.uniform(size=20000) < raw ** 2  # the model is over-confident low down
    fitted = fit_calibration({"toxicity": raw, "insult": raw},
                             {"toxicity": truth.astype(float),
                              "insult": np.full(20000, np.nan)})

    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(fitted))
    calibration = Calibration.from_file(path)

    assert set(calibration.maps) == {"toxicity"}, "a label without labels is not fitted"
    for score in (0.2, 0.5, 0.8):
        assert calibration({"toxicity": score})["toxicity"] == pytest.approx(score ** 2, abs=0.06)
