"""The Perspective-compatible API at its edges (issue 26.8): a quota that no second's
boundary doubles, suggestscore's doNotStore, Google's error shape for deep nesting, and
the text check on every stored field."""

from __future__ import annotations

import json
import time

from sqlalchemy import func, select

from service import db
from service.perspective.models import SuggestedScore
from tests.service.perspective.conftest import new_key
from tests.service.perspective.test_errors_and_keys import SUGGEST, google_error

SCORE = {"comment": {"text": "Fine."},
         "attributeScores": {"APPROVED": {"summaryScore": {"value": 1}}}}


def _at_fraction(fraction: float) -> None:
    """Sleep until the clock's fraction of a second is ``fraction`` (the next time)."""
    time.sleep((fraction - time.time() % 1) % 1)


def test_the_quota_is_a_moving_window_with_no_boundary_to_double_it(app, client):
    secret = new_key(app, quota=2)
    client.post(f"{SUGGEST}?key={secret}", json=SCORE)  # connections warm
    time.sleep(1.1)
    _at_fraction(0.75)
    before = [client.post(f"{SUGGEST}?key={secret}", json=SCORE).status_code for _ in range(2)]
    _at_fraction(0.05)  # a new second, 0.3 s later
    after = [client.post(f"{SUGGEST}?key={secret}", json=SCORE).status_code for _ in range(2)]
    assert before == [200, 200]
    assert after == [429, 429]  # a fixed one-second window let these through
    time.sleep(1.0)
    assert client.post(f"{SUGGEST}?key={secret}", json=SCORE).status_code == 200


def test_suggestscore_with_do_not_store_keeps_nothing(app, client, key):
    answer = client.post(f"{SUGGEST}?key={key}",
                         json=SCORE | {"doNotStore": True, "clientToken": "comment:9"})
    assert (answer.status_code, answer.json) == (200, {"clientToken": "comment:9"})
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(SuggestedScore)) == 0
    assert client.post(f"{SUGGEST}?key={key}", json=SCORE).status_code == 200
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(SuggestedScore)) == 1


def test_deep_nesting_is_answered_in_google_s_shape(client, key):
    for raw in ("[" * 20000 + "]" * 20000, '{"comment": ' + "[" * 100 + "]" * 100 + "}"):
        response = client.post(f"{SUGGEST}?key={key}", data=raw,
                               headers={"Content-Type": "application/json"})
        assert "nests" in google_error(response, 400, "INVALID_ARGUMENT")


def test_text_that_no_database_stores_is_invalid_argument(app, client, key):
    bodies = [
        '{"comment": {"text": "a\\u0000b"}, "attributeScores": {"APPROVED": '
        '{"summaryScore": {"value": 1}}}}',
        '{"comment": {"text": "a\\ud800b"}, "attributeScores": {"APPROVED": '
        '{"summaryScore": {"value": 1}}}}',
        json.dumps(SCORE | {"clientToken": "a\x00b"}),
        json.dumps(SCORE | {"communityId": "a\x01b"}),
        json.dumps(SCORE | {"context": {"entries": [{"text": "a\x00b"}]}}),
        json.dumps(SCORE | {"context": {"entries": [{"a\x00": "b"}]}}),
    ]
    for body in bodies:
        response = client.post(f"{SUGGEST}?key={key}", data=body,
                               headers={"Content-Type": "application/json"})
        google_error(response, 400, "INVALID_ARGUMENT")
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(SuggestedScore)) == 0
    refused = client.post(f"{SUGGEST}?key={key}%00", json=SCORE)
    assert refused.status_code in (400, 403) and set(refused.json) == {"error"}
