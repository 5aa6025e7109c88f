"""``modelkit.targets``: calibration and the policy of each site target, fitted apart."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from modelkit.cli import model
from modelkit.sources import LABELS, Table, make_table
from modelkit.targets import (
    CLEAN_TAIL,
    QUEUE_BUDGETS,
    SAFETY_NET,
    SAFETY_TARGETS,
    calibrate,
    calibrated,
    clean_rows,
    fit_and_report,
    fit_target,
    target_name,
)
from tests.modelkit.test_finetune import write_sources
from tests.support.checkpoint import build


def _scored(n: int = 2400, seed: int = 0):
    """Two sources, half fit and half report, with noisy scores that rank toxic higher."""
    rng = np.random.default_rng(seed)
    toxic = rng.random(n) < 0.3
    raw = np.clip(rng.normal(0.25, 0.15, (n, len(LABELS))) + 0.4 * toxic[:, None], 0, 1)
    targets = np.zeros((n, len(LABELS)))
    targets[:, 0] = toxic
    targets[:, 1:] = (raw[:, 1:] > 0.75) & toxic[:, None]
    parts = []
    for k, source in enumerate(("news", "jigsaw", "civil")):
        rows = slice(k * n // 3, (k + 1) * n // 3)
        m = n // 3
        parts.append(make_table(source, [str(i) for i in range(m)], ["a comment"] * m,
                                ["fit" if i % 2 else "report" for i in range(m)],
                                targets[rows], np.ones((m, len(LABELS))), np.ones(m),
                                toxic[rows], ["random"] * m if source == "news" else None))
    return Table.concat(parts), raw


def _fitted(kind: str, levels: tuple[float, ...]):
    table, raw = _scored()
    fit = np.flatnonzero(table.split == "fit")
    scores = calibrated(calibrate(table, fit, raw[fit]), raw[fit])
    toxic, clean = table.toxic[fit] >= 0.5, clean_rows(table, fit)
    news = table.source[fit] == "news"
    for level in levels:
        policy = fit_target(scores, toxic, clean, news, kind, level)
        for label in ("obscene", "insult"):  # they never hold alone
            assert policy.hold[label] == policy.reject[label]
        for label in SAFETY_NET:  # outside the dense part of the clean scores
            assert (scores[clean, LABELS.index(label)] >= policy.hold[label]).mean() <= \
                CLEAN_TAIL + 1e-9
        assert all(policy.hold[label] <= policy.reject[label] for label in LABELS)
        yield level, policy, policy.outcomes(scores[news]), toxic[news], clean[news]


def test_a_queue_budget_holds_at_most_its_share_of_the_civil_news_comments() -> None:
    holds = []
    for level, policy, outcomes, _, clean in _fitted("queue", QUEUE_BUDGETS):
        assert policy.name == target_name("queue", level)
        assert (outcomes[clean] != "approved").mean() <= level + 1e-9
        holds.append(policy.hold["toxicity"])
    assert holds == sorted(holds, reverse=True) and holds[0] > holds[-1]


def test_a_safety_target_publishes_at_most_its_share_of_the_toxic_news_comments() -> None:
    holds = []
    for level, policy, outcomes, toxic, _ in _fitted("safety", SAFETY_TARGETS):
        assert (outcomes[toxic] == "approved").mean() <= level + 1e-9
        holds.append(policy.hold["toxicity"])
    assert holds == sorted(holds) and holds[0] < holds[-1]


def test_the_toxic_selected_posts_never_count_as_clean() -> None:
    table, _ = _scored()
    rows = np.arange(len(table))
    clean = clean_rows(table, rows)
    assert not clean[table.source == "civil"].any()
    assert clean[(table.source == "news") & (table.toxic == 0)].all()


def test_calibrated_scores_are_monotone_and_read_as_probabilities() -> None:
    table, raw = _scored()
    fit = np.flatnonzero(table.split == "fit")
    scores = calibrated(calibrate(table, fit, raw[fit]), raw[fit])
    order = np.argsort(raw[:, 0][fit])
    assert (np.diff(scores[order, 0]) >= -1e-9).all()
    top = scores[:, 0] >= 0.8
    assert top.any() and table.toxic[fit][top].mean() >= 0.7
    assert abs(scores[:, 0].mean() - table.toxic[fit].mean()) < 0.05


def test_figures_come_from_the_report_halves_only() -> None:
    table, raw = _scored()
    held = np.arange(len(table))
    result = fit_and_report(table, held, raw, ["probe:threat:0"], raw[:1])
    report = result["targets"]["queue 5%"]["report"]
    assert report["per_source"]["jigsaw"]["n_toxic"] + report["per_source"]["jigsaw"][
        "n_clean"] == int(((table.source == "jigsaw") & (table.split == "report")).sum())
    assert list(report["per_source"])[:2] == ["news", "news_random"], "the news part first"
    assert report["per_source"]["civil"]["n_clean"] == 0
    low, high = report["news_intervals"]["clean_held"]
    assert low <= report["per_source"]["news"]["clean_held"] <= high
    assert set(result["labels"]) == set(LABELS)
    assert sum(result["targets"]["queue 5%"]["probes"]["threat"].values()) == 1


def test_the_command_writes_a_calibration_the_scorer_reads(tmp_path: Path,
                                                          monkeypatch) -> None:
    from workers.scoring.calibration import Calibration

    checkpoint, config = build(tmp_path / "model")
    data = write_sources(tmp_path / "data", rows=200)
    for name, value in {"MODERATION_MODEL": str(checkpoint),
                        "MODERATION_MODEL_CONFIG": str(config),
                        "MODERATION_INSTANCE_DIR": str(tmp_path / "instance"),
                        "TORCH_THREADS": "1"}.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "model.calibration.json"
    result = CliRunner().invoke(model, ["targets", "--out", str(out), "--data-dir", str(data),
                                        "--no-progress"])
    assert result.exit_code == 0, result.output
    last = json.loads(result.output.strip().splitlines()[-1])
    assert set(last) == {*(target_name("queue", t) for t in QUEUE_BUDGETS),
                         *(target_name("safety", t) for t in SAFETY_TARGETS), "in_force"}
    assert all("toxic_published" in fitted["news"] and "clean_held" in fitted["news"]
               for fitted in last.values())
    calibration = Calibration.from_file(out)
    assert set(calibration({"toxicity": 0.5})) == {"toxicity"}
