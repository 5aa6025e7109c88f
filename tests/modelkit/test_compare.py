"""``modelkit.compare``: two models on the same report halves, paired."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from modelkit.compare import compare, load_scores, summary_lines
from modelkit.targets import fit_and_report
from tests.modelkit.test_targets import _scored


def _saved(table, raw: np.ndarray, probe_raw: np.ndarray, path: Path) -> dict:
    np.savez_compressed(path, ids=np.array(table.ids), scores=raw,
                        probe_ids=np.array(["probe:threat:0", "probe:threat:1"]),
                        probe_scores=probe_raw)
    return load_scores(path)


def test_a_better_ranking_shows_as_a_gain_and_the_same_model_as_none(tmp_path: Path) -> None:
    table, raw = _scored()
    rng = np.random.default_rng(1)
    sharper = raw.copy()
    sharper[:, 0] = np.clip(raw[:, 0] + 0.3 * (table.toxic - 0.5) + rng.normal(0, 0.01, len(raw)),
                            0, 1)
    held = np.arange(len(table))
    probe_raw = np.array([raw[0], np.ones(raw.shape[1])])
    old_cal = json.loads(json.dumps(fit_and_report(table, held, raw, ["probe:threat:0",
                                                                      "probe:threat:1"],
                                                   probe_raw), default=float))
    new_cal = json.loads(json.dumps(fit_and_report(table, held, sharper, ["probe:threat:0",
                                                                          "probe:threat:1"],
                                                   probe_raw), default=float))
    old = _saved(table, raw, probe_raw, tmp_path / "old.npz")
    new = _saved(table, sharper, probe_raw, tmp_path / "new.npz")

    result = compare(table, old, new, old_cal, new_cal)
    news = result["auc"]["news"]
    assert news["new"] > news["old"] and news["gain_interval"][0] > 0
    assert news["n"] == int(((table.source == "news") & (table.split == "report")).sum())
    assert result["toxic_published"]["news"]["new"] < result["toxic_published"]["news"]["old"]
    assert sum(result["probes"]["new"]["threat"].values()) == 2
    assert 1 not in result["probes_wrong"]["new"]["threat"]
    assert summary_lines(result)
    assert set(result["clean_held_subgroups"]) == {"identity_all", "identity_news",
                                                   "mild_profanity_all", "mild_profanity_news"}

    same = compare(table, old, old, old_cal, old_cal)
    assert same["auc"]["news"]["gain_interval"] == [0.0, 0.0]
    assert same["clean_held"]["news"]["change_interval"] == [0.0, 0.0]


def test_score_files_over_other_rows_are_refused(tmp_path: Path) -> None:
    table, raw = _scored()
    probe_raw = raw[:2]
    old = _saved(table, raw, probe_raw, tmp_path / "old.npz")
    other = dict(old, ids=old["ids"][::-1])
    with pytest.raises(ValueError, match="same rows"):
        compare(table, old, other, {}, {})
