"""The nudge before posting: asked with "nudge": true, answered by a real worker with the
site's policy, storing nothing; its outcomes, its limits, its failing open."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from cli import redis_server
from service import db
from service.app import create_app
from service.commenters.models import Commenter, Standing
from service.comments.models import Comment, Event, Nudge
from service.comments.readers import ReaderSettings, save_reader_settings
from service.comments.tasks import NUDGE_PENDING_KEY
from service.policy import LABELS
from service.sites.services import site_named
from service.threads.models import Thread
from tests.support.sites import add_site, reader_token
from tests.support.work import BackgroundWorker
from workers.sweeper import sweep_nudges

THREAD = "/api/v1/threads/city-budget/comments"
TEXT = "Zanzibar marmalade council budget remark."
"""A harmless text, held below only because the tests' policy holds everything."""
HOLD_ON_TOXICITY = {"hold": {**dict.fromkeys(LABELS, 1.0), "toxicity": 0.0},
                    "reject": dict.fromkeys(LABELS, 1.0)}
"""Every text scores at least 0 on toxicity: held, for its content, whatever the model."""
APPROVE_ALL = {"hold": dict.fromkeys(LABELS, 1.0), "reject": dict.fromkeys(LABELS, 1.0)}
ENGLISH = ("Your comment may break this site's guidelines, so it may be held for a "
           "moderator or not published. You can edit it, or post it as it is.")


@pytest.fixture
def settings(settings: dict) -> dict:
    settings["MODERATION_THRESHOLDS"] = HOLD_ON_TOXICITY
    return settings


@pytest.fixture
def worker(app: Flask) -> Iterator[BackgroundWorker]:
    running = BackgroundWorker(app).start()
    yield running
    running.stop()


def count(app: Flask, model) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model))


def nudges(app: Flask) -> list[Nudge]:
    with app.app_context():
        return list(db.session().scalars(select(Nudge).order_by(Nudge.created_at)))


def set_readers(app: Flask, slug: str = "default", **values) -> None:
    with app.app_context(), db.transaction() as session:
        site = site_named(session, slug)
        save_reader_settings(session, ReaderSettings(**values), by="test", site_id=site.id)


def metric(client, name: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def post(client, body: str = TEXT, path: str = THREAD, **fields):
    return client.post(path, json={"author": "Ana", "body": body, **fields})


def test_a_text_the_site_would_hold_is_nudged_and_nothing_is_stored(app, client, worker,
                                                                   caplog):
    caplog.set_level(logging.DEBUG)
    shown_before = metric(client, "moderation_nudges_shown_total")

    response = post(client, nudge=True)

    assert response.status_code == 200, response.json
    nudge = response.json["nudge"]
    assert set(response.json) == {"nudge"}
    assert nudge["message"] == ENGLISH
    assert nudge["reasons"] == ["It may read as rude or disrespectful."]
    uuid.UUID(nudge["id"])
    assert count(app, Comment) == count(app, Event) == count(app, Thread) == 0
    assert [str(row.id) for row in nudges(app)] == [nudge["id"]]
    assert nudges(app)[0].outcome is None
    assert "Zanzibar" not in caplog.text
    assert metric(client, "moderation_nudges_shown_total") == shown_before + 1


def test_without_nudge_the_same_text_is_posted_and_moderated_as_usual(app, client, worker):
    response = post(client)

    assert response.status_code == 202
    assert count(app, Comment) == 1 and count(app, Nudge) == 0


def test_a_text_the_site_would_publish_is_posted_at_once(app, client, worker):
    add_site(app, "civil", APPROVE_ALL)

    response = post(client, path="/api/v1/sites/civil/threads/t/comments", nudge=True)

    assert response.status_code == 202 and response.json["status"] == "pending"
    assert count(app, Comment) == 1 and count(app, Nudge) == 0


def test_the_site_path_nudges_in_the_sites_language(app, client, worker):
    add_site(app, "gazette", HOLD_ON_TOXICITY, locale="fr")

    response = post(client, path="/api/v1/sites/gazette/threads/t/comments", nudge=True)

    assert response.status_code == 200
    assert response.json["nudge"]["message"].startswith(
        "Votre commentaire pourrait enfreindre les règles de ce site")
    assert response.json["nudge"]["reasons"] == ["Il peut sembler grossier ou irrespectueux."]


def test_the_sites_words_nudge_without_being_named(app, client, worker):
    add_site(app, "words", APPROVE_ALL | {"banned_words": ["marmalade"]})

    nudge = post(client, path="/api/v1/sites/words/threads/t/comments", nudge=True).json["nudge"]

    assert nudge["reasons"] == [
        "It uses words that this site does not allow, or that its moderators check."]
    assert "marmalade" not in str(nudge)


def test_pre_moderation_never_nudges(app, client, worker):
    add_site(app, "strict", APPROVE_ALL | {"hold_everything": True})

    response = post(client, path="/api/v1/sites/strict/threads/t/comments", nudge=True)

    assert response.status_code == 202
    assert count(app, Nudge) == 0


def test_a_banned_commenter_is_refused_not_nudged(app, client, worker):
    secret = add_site(app, "members", HOLD_ON_TOXICITY)
    token = reader_token(secret, "u1", "Ana")
    path = "/api/v1/sites/members/threads/t/comments"
    assert client.post(path, json={"body": "First.", "nudge": True},
                       headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with app.app_context(), db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Commenter)) == 0, \
            "the nudge kept nothing the request began"
    assert client.post(path, json={"body": "First."},
                       headers={"Authorization": f"Bearer {token}"}).status_code == 202
    with app.app_context(), db.transaction() as session:
        session.execute(update(Commenter).values(status=Standing.BANNED))

    response = client.post(path, json={"body": "Again.", "nudge": True},
                           headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 403 and response.json["error"] == "commenter_banned"


def test_nudges_turned_off_post_at_once(app, client, worker):
    set_readers(app, nudges=False)

    assert post(client, nudge=True).status_code == 202
    assert count(app, Nudge) == 0


def test_without_a_worker_the_comment_is_posted_after_the_sites_timeout(app, client):
    set_readers(app, nudge_timeout_ms=300)
    unanswered = metric(client, "moderation_nudges_unanswered_total")
    started = time.monotonic()

    response = post(client, nudge=True)

    assert response.status_code == 202, "the nudge fails open"
    assert 0.3 <= time.monotonic() - started < 2.5
    assert count(app, Comment) == 1 and count(app, Nudge) == 0
    assert app.extensions["redis"].llen(NUDGE_PENDING_KEY) == 0, "no text left waiting"
    assert metric(client, "moderation_nudges_unanswered_total") == unanswered + 1


def test_posted_anyway_is_the_same_text_without_nudge(app, client, worker):
    nudge = post(client, nudge=True).json["nudge"]

    response = post(client, nudge_id=nudge["id"])

    assert response.status_code == 202
    assert [row.outcome for row in nudges(app)] == ["posted_anyway"]
    assert metric(client, 'moderation_nudge_outcomes_total{outcome="posted_anyway"}') >= 1


def test_an_edited_text_is_revised_whether_posted_or_nudged_again(app, client, worker):
    first = post(client, nudge=True).json["nudge"]
    again = post(client, nudge=True, nudge_id=first["id"]).json["nudge"]
    assert again["id"] == first["id"], "the same text again is the same nudge"
    assert len(nudges(app)) == 1

    second = post(client, TEXT + " Edited.", nudge=True, nudge_id=first["id"]).json["nudge"]
    posted = post(client, TEXT + " Edited twice.", nudge_id=second["id"])

    assert second["id"] != first["id"] and posted.status_code == 202
    assert [row.outcome for row in nudges(app)] == ["revised", "revised"]
    # An outcome is counted once: a stale id changes nothing.
    assert post(client, TEXT + " Later.", nudge_id=first["id"]).status_code == 202
    assert [row.outcome for row in nudges(app)] == ["revised", "revised"]


def test_a_nudge_no_post_followed_is_abandoned_by_the_sweeper(app, client, worker):
    post(client, nudge=True)
    recent = post(client, TEXT + " Other.", nudge=True).json["nudge"]
    with app.app_context(), db.transaction() as session:
        session.execute(update(Nudge).where(Nudge.id != uuid.UUID(recent["id"]))
                        .values(created_at=db.utcnow() - timedelta(hours=1)))

    with app.app_context():
        assert sweep_nudges() == 1

    assert sorted(str(row.outcome) for row in nudges(app)) == ["None", "abandoned"]
    assert metric(client, 'moderation_nudge_outcomes_total{outcome="abandoned"}') >= 1


def test_nudged_requests_count_against_the_posting_limit(app, client, worker):
    app.config["RATE_LIMIT_POST"] = "2/minute"  # read on each request
    assert [post(client, nudge=True).status_code for _ in range(2)] == [200, 200]

    refused = post(client, nudge=True)

    assert refused.status_code == 429 and refused.headers["Retry-After"]


@pytest.mark.parametrize(("fields", "fragment"), [
    ({"nudge": "yes"}, "nudge"),
    ({"nudge": 1}, "nudge"),
    ({"nudge_id": "not-an-id"}, "nudge_id"),
])
def test_bad_nudge_fields_are_refused(app, client, fields, fragment):
    response = post(client, **fields)

    assert response.status_code == 422 and fragment in response.json["message"]
    assert count(app, Comment) == 0


def test_the_openapi_document_describes_the_nudge(client):
    document = client.get("/openapi.json").json
    operation = document["paths"]["/api/v1/sites/{site}/threads/{thread_id}/comments"]["post"]

    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NudgeAnswer"}
    schemas = document["components"]["schemas"]
    assert set(schemas["NudgeShown"]["required"]) == {"id", "message", "reasons"}
    assert {"nudge", "nudge_id"} <= set(schemas["NewComment"]["properties"])


def test_with_redis_down_the_nudge_fails_open(settings, app):
    down = create_app(settings | {"REDIS_URL": f"redis://127.0.0.1:{redis_server.free_port()}/0"})

    response = down.test_client().post(THREAD, json={"author": "Ana", "body": TEXT,
                                                     "nudge": True})

    assert response.status_code == 202
    assert count(app, Comment) == 1 and count(app, Nudge) == 0
