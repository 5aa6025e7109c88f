"""comments:analyze as Coral Talk calls it: its exact request, read the way Coral reads it."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from sqlalchemy import create_engine, inspect, select, text

from service.perspective.models import PerspectiveAnalysis, PerspectiveKey
from service.perspective.tasks import PENDING_KEY
from service.queueing import ANALYZE_QUEUE, queue
from tests.service.perspective.conftest import BackgroundWorker
from tests.support.processes import wait_until

ANALYZE = "/v1alpha1/comments:analyze"
SECRET_TEXT = "Zanzibar marmalade opinions are wrong, you fool."


def coral_analyze_body(text: str, model: str = "TOXICITY", do_not_store: bool = True,
                       language: str = "en") -> dict:
    """What Coral's ``formatBody`` sends for ``comments:analyze`` (its exact keys)."""
    return {"comment": {"text": text}, "doNotStore": do_not_store,
            "requestedAttributes": {model: {}}, "languages": [language]}


def post(client, key: str, body: object):
    """POST as Coral does: the key in the query, a JSON body."""
    return client.post(f"{ANALYZE}?key={key}", data=json.dumps(body),
                       headers={"Content-Type": "application/json"})


def test_coral_request_is_answered_in_perspectives_shape(client, key, analyze_worker):
    response = post(client, key, coral_analyze_body("Thanks, that is a fair point."))

    assert response.status_code == 200, response.json
    answer = response.json
    value = answer["attributeScores"]["TOXICITY"]["summaryScore"]["value"]  # as Coral reads it
    assert 0 <= value <= 1
    assert answer["attributeScores"]["TOXICITY"]["summaryScore"]["type"] == "PROBABILITY"
    assert answer["languages"] == ["en"] and answer["detectedLanguages"] == ["en"]
    assert set(answer["attributeScores"]) == {"TOXICITY"}


def test_every_attribute_with_a_span_per_sentence(client, key, analyze_worker):
    comment = "First, a thought. Then another one!  And a question?\nLast line"
    body = {"comment": {"text": comment, "type": "PLAIN_TEXT"}, "clientToken": "comment:1",
            "requestedAttributes": {name: {} for name in (
                "TOXICITY", "SEVERE_TOXICITY", "INSULT", "PROFANITY", "THREAT",
                "IDENTITY_ATTACK")},
            "spanAnnotations": True, "communityId": "Coral:news", "sessionId": "s",
            "context": {"entries": [{"text": "the article"}]}, "someFutureField": 1}

    answer = post(client, key, body).json

    assert answer["clientToken"] == "comment:1"
    assert len(answer["attributeScores"]) == 6
    for scores in answer["attributeScores"].values():
        spans = scores["spanScores"]
        assert [comment[span["begin"]:span["end"]].strip() for span in spans] == [
            "First, a thought.", "Then another one!", "And a question?", "Last line"]
        assert spans[0]["begin"] == 0 and spans[-1]["end"] == len(comment)
        assert all(0 <= span["score"]["value"] <= 1 for span in spans)
    one_sentence = post(client, key, coral_analyze_body("Just one sentence.")).json
    toxicity = one_sentence["attributeScores"]["TOXICITY"]
    assert toxicity["spanScores"] == [{"begin": 0, "end": 18, "score": toxicity["summaryScore"]}]
    # Without spanAnnotations (Coral sends none), as Perspective: one span, the whole text.
    whole = post(client, key, coral_analyze_body(comment)).json["attributeScores"]["TOXICITY"]
    assert whole["spanScores"] == [{"begin": 0, "end": len(comment),
                                    "score": whole["summaryScore"]}]


def test_score_threshold_leaves_low_scores_out(client, key, analyze_worker):
    body = coral_analyze_body("Fine.") | {"requestedAttributes": {
        "TOXICITY": {"scoreThreshold": 1.0}, "INSULT": {"scoreThreshold": 0}}}
    assert set(post(client, key, body).json["attributeScores"]) == {"INSULT"}


def test_do_not_store_leaves_no_trace(app, client, key, analyze_worker, redis, settings,
                                      caplog):
    caplog.set_level(logging.DEBUG)
    assert post(client, key, coral_analyze_body(SECRET_TEXT)).status_code == 200

    engine = create_engine(settings["DATABASE_URL"])
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                assert "Zanzibar" not in repr(tuple(row)), table
    engine.dispose()
    for name in redis.scan_iter():
        kind = redis.type(name).decode()
        content = {"string": lambda k: redis.get(k), "list": lambda k: redis.lrange(k, 0, -1),
                   "hash": lambda k: redis.hgetall(k), "set": lambda k: redis.smembers(k),
                   "zset": lambda k: redis.zrange(k, 0, -1),
                   "stream": lambda k: redis.xrange(k)}.get(kind, lambda k: b"")(name)
        assert b"Zanzibar" not in repr(content).encode() + name, name
    assert "Zanzibar" not in caplog.text
    # The job (which holds no text) is gone once the worker has finished with it.
    wait_until(lambda: not list(redis.scan_iter("rq:job:analyze-*")), 10, "the job deleted")


def test_without_do_not_store_the_text_and_scores_are_kept(app, client, key, analyze_worker):
    body = coral_analyze_body(SECRET_TEXT, do_not_store=False) | {"clientToken": "c1"}
    assert post(client, key, body).status_code == 200

    with app.app_context():
        from service import db

        kept = db.session().scalars(select(PerspectiveAnalysis)).one()
        assert kept.text == SECRET_TEXT and kept.client_token == "c1"
        assert set(kept.scores) >= {"toxicity", "insult", "obscene"}
        key_row = db.session().get(PerspectiveKey, kept.key_id)
        assert key_row is not None and key_row.last_used_at is not None


def test_an_attribute_the_model_lacks_is_refused(client, key, analyze_worker):
    response = post(client, key, coral_analyze_body("Hello.", model="SEXUALLY_EXPLICIT"))
    assert response.status_code == 400
    assert response.json["error"]["status"] == "INVALID_ARGUMENT"
    assert "SEXUALLY_EXPLICIT" in response.json["error"]["message"]


def test_concurrent_requests_are_scored_in_one_pass(app, key, caplog):
    caplog.set_level(logging.INFO, logger="workers.scoring.analyze")
    app.config["PERSPECTIVE_TIMEOUT_SECONDS"] = 30.0
    answers: list[int] = []

    def send(number: int) -> None:
        client = app.test_client()
        answers.append(post(client, key, coral_analyze_body(f"Comment {number}.")).status_code)

    senders = [threading.Thread(target=send, args=(number,)) for number in range(4)]
    for sender in senders:
        sender.start()
    connection = app.extensions["redis"]
    wait_until(lambda: connection.llen(PENDING_KEY) == 4, 20, "four requests waiting")
    worker = BackgroundWorker(app).start()
    try:
        for sender in senders:
            sender.join(timeout=30)
    finally:
        worker.stop()

    assert answers == [200] * 4
    assert "analyzed 4 requests (4 texts) in one pass" in caplog.text
    assert queue(ANALYZE_QUEUE, connection).count == 0  # the other jobs were deleted


@pytest.mark.timeout(60)
def test_no_worker_answers_503_and_leaves_nothing_waiting(app, client, key, redis):
    app.config["PERSPECTIVE_TIMEOUT_SECONDS"] = 0.3
    response = post(client, key, coral_analyze_body(SECRET_TEXT))

    assert response.status_code == 503
    assert response.json == {"error": {"code": 503, "status": "UNAVAILABLE",
                                       "message": response.json["error"]["message"]}}
    assert redis.llen(PENDING_KEY) == 0
    assert queue(ANALYZE_QUEUE, redis).count == 0
