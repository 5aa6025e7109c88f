"""With the shipped offline model: toxic text scores higher than civil text, read as Coral does."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest

from tests.service.perspective.test_analyze import coral_analyze_body, post

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from workers.scoring.assembly import ensure_model

    cache = tmp_path_factory.mktemp("model-cache")
    ensure_model(cache)
    return cache


@pytest.fixture
def settings(settings: dict, model_cache: Path) -> dict:
    return settings | {"MODERATION_MODEL": "jigsaw-minilm", "MODERATION_MODEL_CONFIG": "",
                       "MODERATION_MODEL_CACHE": str(model_cache),
                       "PERSPECTIVE_TIMEOUT_SECONDS": 10.0}


def toxicity(client, key: str, text: str) -> float:
    response = post(client, key, coral_analyze_body(text))
    assert response.status_code == 200, response.json
    return response.json["attributeScores"]["TOXICITY"]["summaryScore"]["value"]


def test_a_toxic_text_scores_higher_than_a_civil_one(client, key, analyze_worker, capsys):
    civil = toxicity(client, key, "Thank you for the thoughtful article, I learned a lot.")
    toxic = toxicity(client, key, "You are a pathetic idiot, shut up.")
    assert toxic > 0.5 > civil

    mixed = post(client, key, coral_analyze_body("Thanks for the article. You are a stupid moron.")
                 | {"spanAnnotations": True}).json["attributeScores"]["TOXICITY"]
    polite, rude = (span["score"]["value"] for span in mixed["spanScores"])
    assert rude > polite

    took = []
    for number in range(20):  # light load: one request at a time
        started = time.perf_counter()
        toxicity(client, key, f"Comment number {number}: the council should fix the roads.")
        took.append((time.perf_counter() - started) * 1000)
    with capsys.disabled():
        print(f"\n  [analyze] p50 {statistics.median(took):.0f} ms, max {max(took):.0f} ms "
              f"over {len(took)} requests (test client, worker thread)")
