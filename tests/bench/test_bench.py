"""`moderation bench`: its parts, and one small run of the whole of it with the tiny model."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.comments import comments
from bench.scoring import agreement, largest_difference
from service.policy import Policy

CLEAN = {"toxicity": 0.01, "insult": 0.02}
HELD = {"toxicity": 0.5, "insult": 0.02}
POLICY = Policy(hold={"toxicity": 0.3}, reject={"toxicity": 0.95})


def test_generated_comments_are_repeatable_and_of_the_asked_lengths():
    texts = comments(300, seed=3)

    assert texts == comments(300, seed=3) and texts != comments(300, seed=4)
    assert all(10 <= len(text.split()) <= 120 for text in texts)
    assert len(set(texts)) > 250


def test_agreement_is_the_share_of_equal_decisions():
    assert agreement([CLEAN, HELD], [CLEAN, HELD], POLICY) == 1.0
    assert agreement([CLEAN, HELD], [CLEAN, CLEAN], POLICY) == 0.5
    assert largest_difference([CLEAN, HELD], [CLEAN, CLEAN]) == pytest.approx(0.49)


@pytest.mark.slow
def test_a_small_run_measures_every_figure_and_ends_with_one_json_line(tiny_model, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "cli", "bench", "--model", tiny_model["MODERATION_MODEL"],
         "--model-config", tiny_model["MODERATION_MODEL_CONFIG"], "--comments", "40",
         "--peer-comments", "5", "--intake-requests", "60", "--concurrency", "2",
         "--decision-samples", "2", "--analyze-samples", "5", "--agreement-sample", "0",
         "--work-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=280, check=False)

    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("peer_cps", "scorer_cps", "pipeline_cps", "intake_rps", "intake_p99_ms",
                "decision_p50_ms", "analyze_p50_ms", "analyze_p99_ms", "worker_rss_mb"):
        assert figures[key] > 0, key
    assert figures["intake_errors"] == 0
    assert figures["model"].endswith("+int8") and figures["agreement"] is None
    assert "(a) peer" in result.stdout
