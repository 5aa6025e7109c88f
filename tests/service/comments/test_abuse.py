"""Repeat posts and floods are refused before anything is stored."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from service import db
from service.comments.models import Comment, Status

THREAD = "/api/v1/threads/abuse-thread/comments"
OTHER_THREAD = "/api/v1/threads/another-thread/comments"


def post(client, body: str, author: str = "Ana", url: str = THREAD):
    return client.post(url, json={"body": body, "author": author})


def count(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Comment))


def test_the_same_text_again_is_refused_with_409_and_nothing_stored(app, client):
    assert post(client, "Borders must be   respected.").status_code == 202

    again = post(client, "  borders MUST be respected. ", author="ana")

    assert again.status_code == 409
    assert again.json["error"] == "repeated_comment"
    assert "same comment" in again.json["message"]
    assert count(app) == 1


def test_other_text_author_or_thread_is_not_a_repeat(app, client):
    assert post(client, "Peace needs guarantees.").status_code == 202
    assert post(client, "Peace needs guarantees!").status_code == 202
    assert post(client, "Peace needs guarantees.", author="Bo").status_code == 202
    assert post(client, "Peace needs guarantees.", url=OTHER_THREAD).status_code == 202
    assert count(app) == 4


def test_a_repeat_after_the_window_is_accepted(settings, request):
    settings["REPEAT_WINDOW_SECONDS"] = 60
    app = request.getfixturevalue("app")
    client = app.test_client()
    assert post(client, "Said once.").status_code == 202
    with app.app_context(), db.transaction() as session:
        session.execute(update(Comment).values(
            created_at=Comment.created_at - timedelta(seconds=61)))

    assert post(client, "Said once.").status_code == 202


def test_a_thread_full_of_pending_comments_answers_429_with_retry_after(settings, request):
    settings["MAX_PENDING_PER_THREAD"] = 3
    app = request.getfixturevalue("app")
    client = app.test_client()
    for number in range(3):
        assert post(client, f"Comment number {number}").status_code == 202

    refused = post(client, "One too many")

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "waiting for moderation" in refused.json["message"]
    assert count(app) == 3
    assert post(client, "Elsewhere it is fine", url=OTHER_THREAD).status_code == 202


def test_decided_comments_do_not_count_towards_the_pending_limit(settings, request):
    settings["MAX_PENDING_PER_THREAD"] = 2
    app = request.getfixturevalue("app")
    client = app.test_client()
    for number in range(2):
        assert post(client, f"Comment number {number}").status_code == 202
    with app.app_context(), db.transaction() as session:
        session.execute(update(Comment).values(status=Status.APPROVED))

    assert post(client, "Room again").status_code == 202
