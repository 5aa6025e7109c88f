"""The simulated sites: candidates built as `model adapt` builds them, measured on the part
held back, against moderators stricter or more lenient than the policy."""

from __future__ import annotations

import random

from modelkit.moderator_sim import simulate
from service.policy import LABELS, Policy


def test_a_lenient_site_teaches_the_candidate_to_publish_what_the_policy_held() -> None:
    draw = random.Random(0)
    scores = [{label: round(draw.random(), 4) for label in LABELS[:6]} for _ in range(600)]
    # raters' toxicity share follows the model's toxicity score, with noise
    toxicity = [min(1.0, max(0.0, row["toxicity"] + draw.gauss(0, 0.1))) for row in scores]
    policy = Policy.from_overrides({"hold": {**dict.fromkeys(LABELS, 1.0), "toxicity": 0.3},
                                    "reject": dict.fromkeys(LABELS, 1.0)})
    ids = [f"row{k}" for k in range(600)]
    texts = ["a comment"] * 600

    # a safety target: at most 2% of the rejected published (thresholds set by hand mean
    # the default target, a queue budget)
    lenient = simulate(ids, texts, toxicity, scores, 0.8, seeds=(0, 1), policy=policy,
                       missed=0.02)
    assert lenient["rows"] == 600 and lenient["seeds"] == 2
    assert 150 < lenient["compared_per_seed"] < 210
    assert lenient["agreement_candidate"] > lenient["agreement_live"] + 0.2
    assert lenient["rise_min"] > 0
    assert lenient["published_rejected"]["candidate"] <= 0.02 * 0.25 * 200 + 1
