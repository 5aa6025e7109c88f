"""The nudge job: every request waiting decided in one pass, each under its own site's
policy, without pre-moderation, and no text in what it answers."""

from __future__ import annotations

import json
import time

import pytest

from service.comments.tasks import NUDGE_PENDING_KEY, nudge_job, nudge_result_key
from service.policy import LABELS
from service.queueing import ANALYZE_QUEUE, enqueue
from tests.support.sites import add_site
from tests.support.work import drain
from workers.scoring import nudging

HOLD_ON_TOXICITY = {"hold": {**dict.fromkeys(LABELS, 1.0), "toxicity": 0.0},
                    "reject": dict.fromkeys(LABELS, 1.0)}
APPROVE_ALL = {"hold": dict.fromkeys(LABELS, 1.0), "reject": dict.fromkeys(LABELS, 1.0)}


def wait(redis, request_id: str, site_id: int, text: str, deadline: float | None = None) -> None:
    """Put a request on the list, as the web process does."""
    redis.rpush(NUDGE_PENDING_KEY, json.dumps({"id": request_id, "site_id": site_id,
                                               "text": text,
                                               "deadline": deadline or time.time() + 60}))


def answer(redis, request_id: str) -> dict | None:
    raw = redis.lpop(nudge_result_key(request_id))
    return None if raw is None else json.loads(raw)


def site_id(app, slug: str) -> int:
    from service import db
    from service.sites.services import site_named
    with app.app_context():
        return site_named(db.session(), slug).id


def test_one_job_decides_every_waiting_request_under_its_sites_policy(app, redis):
    add_site(app, "strict", HOLD_ON_TOXICITY)
    add_site(app, "open", APPROVE_ALL | {"hold_everything": True, "banned_words": ["quince"]})
    wait(redis, "held", site_id(app, "strict"), "A fine remark.")
    wait(redis, "clear", site_id(app, "open"), "A fine remark.")
    wait(redis, "word", site_id(app, "open"), "A remark on quince jam.")
    wait(redis, "late", site_id(app, "strict"), "Nobody waits.", deadline=time.time() - 1)
    wait(redis, "unknown site", 999, "A fine remark.")
    enqueue([nudge_job("held", 2), nudge_job("clear", 2)], connection=redis)

    drain(app, (ANALYZE_QUEUE,))

    assert answer(redis, "held") == {"outcome": "held", "labels": ["toxicity"], "words": False}
    # Pre-moderation holds every comment, but for no label or word: the web sends no nudge.
    assert answer(redis, "clear") == {"outcome": "held", "labels": [], "words": False}
    assert answer(redis, "word") == {"outcome": "rejected", "labels": [], "words": True}
    assert answer(redis, "late") is None
    assert answer(redis, "unknown site")["outcome"] == "approved"
    assert redis.llen(NUDGE_PENDING_KEY) == 0
    assert not list(redis.scan_iter("rq:job:*")) and not list(redis.scan_iter("rq:results:*"))


def test_a_scoring_failure_answers_at_once_without_the_text(app, redis, monkeypatch):
    def broken(config):
        raise ValueError("cannot score 'Secret words here'")

    monkeypatch.setattr(nudging, "load_scorer", broken)
    wait(redis, "x", 1, "Secret words here")
    with app.app_context(), pytest.raises(RuntimeError) as raised:
        nudging.nudge_waiting()

    assert "Secret" not in str(raised.value) and raised.value.__cause__ is None
    assert answer(redis, "x") == {"error": "ValueError"}


def test_nothing_waiting_is_nothing_to_do(app):
    with app.app_context():
        assert nudging.nudge_waiting() == {"requests": 0}
