"""The analyze job: every request waiting in one pass, each its own scores, no text kept."""

from __future__ import annotations

import json
import time

import pytest
from rq import Queue

from service.perspective.tasks import PENDING_KEY, analyze_job, result_key
from service.queueing import ANALYZE_QUEUE, QUEUES, SCORING_QUEUE, enqueue
from tests.support.work import drain
from workers.scoring import analyze

LABELS = {"toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack"}


def wait(redis, request_id: str, texts: list[str], deadline: float | None = None) -> None:
    """Put a request on the list, as the web process does."""
    redis.rpush(PENDING_KEY, json.dumps({"id": request_id, "texts": texts,
                                         "deadline": deadline or time.time() + 60}))


def answer(redis, request_id: str) -> dict | None:
    raw = redis.lpop(result_key(request_id))
    return None if raw is None else json.loads(raw)


def test_one_job_scores_every_waiting_request_in_one_pass(app, redis):
    wait(redis, "a", ["Hello there.", "Hello there."])
    wait(redis, "b", ["You are rude. Go away.", "You are rude.", "Go away."])
    wait(redis, "late", ["Nobody waits for me."], deadline=time.time() - 1)
    enqueue([analyze_job("a", 2), analyze_job("b", 2)], connection=redis)

    drain(app, (ANALYZE_QUEUE,))

    first, second = answer(redis, "a"), answer(redis, "b")
    assert first is not None and second is not None
    assert len(first["scores"]) == 2 and len(second["scores"]) == 3
    assert first["model"] == second["model"] and first["model"].startswith("checkpoint@")
    for row in first["scores"] + second["scores"]:
        assert set(row) == LABELS and all(0 <= value <= 1 for value in row.values())
    assert first["scores"][0] == pytest.approx(first["scores"][1], abs=1e-5)
    assert answer(redis, "late") is None  # its client gave up: not scored
    assert redis.llen(PENDING_KEY) == 0
    assert redis.ttl(result_key("a")) == -2  # read, so gone; unread ones expire
    assert not list(redis.scan_iter("rq:job:*"))  # result_ttl=0: RQ kept nothing
    assert not list(redis.scan_iter("rq:results:*"))


def test_unread_scores_expire(app, redis):
    with app.app_context():
        wait(redis, "gone", ["Hello."])
        assert analyze.analyze_waiting() == {"requests": 1, "texts": 1}
    assert 0 < redis.ttl(result_key("gone")) <= 30


def test_a_scoring_failure_answers_at_once_without_the_text(app, redis, monkeypatch):
    def broken(config):
        raise ValueError("cannot score 'Secret words here'")

    monkeypatch.setattr(analyze, "load_scorer", broken)
    wait(redis, "x", ["Secret words here"])
    with app.app_context(), pytest.raises(RuntimeError) as raised:
        analyze.analyze_waiting()

    assert "Secret" not in str(raised.value) and raised.value.__cause__ is None
    assert answer(redis, "x") == {"error": "ValueError"}


def test_nothing_waiting_is_nothing_to_do(app):
    with app.app_context():
        assert analyze.analyze_waiting() == {"requests": 0, "texts": 0}


def test_a_worker_serves_analyze_requests_before_comments(app, redis):
    assert QUEUES[0] == ANALYZE_QUEUE
    Queue(SCORING_QUEUE, connection=redis).enqueue(
        "workers.scoring.jobs.score_comment", "00000000-0000-0000-0000-000000000000")
    wait(redis, "first", ["Hello."])
    enqueue([analyze_job("first", 2)], connection=redis)

    from service.queueing import queue
    from workers.worker import ModerationWorker

    worker = ModerationWorker([queue(name, redis) for name in QUEUES], app=app,
                              connection=redis)
    assert worker.load_model()
    worker.work(burst=True, max_jobs=1)

    assert answer(redis, "first") is not None
    assert Queue(SCORING_QUEUE, connection=redis).count == 1  # the comment waits its turn
