"""The public API: what it accepts, what it refuses and why, and how it pages."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from service import db
from service.comments.models import Comment, Event, Status

THREAD = "/api/v1/threads/ukraine-peace-deal/comments"


def count(app, model) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model))


def test_post_stores_a_pending_comment_and_its_created_event(app, client):
    response = client.post(THREAD, json={"author": " Ana ", "body": "  Borders matter.  "})

    assert response.status_code == 202
    created = response.json
    assert created["status"] == "pending"
    assert response.headers["Location"] == f"/api/v1/comments/{created['id']}"
    with app.app_context():
        comment = db.session().get(Comment, uuid.UUID(created["id"]))
        assert (comment.author, comment.body) == ("Ana", "Borders matter.")
        events = db.session().scalars(select(Event)).all()
        assert [event.type for event in events] == ["comment.created"]


def test_a_pending_comment_shows_its_status_but_not_its_text(client):
    created = client.post(THREAD, json={"author": "Ana", "body": "Hello"}).json

    shown = client.get(f"/api/v1/comments/{created['id']}").json

    assert shown["status"] == "pending"
    assert "body" not in shown


@pytest.mark.parametrize(("payload", "status", "fragment"), [
    ({"author": "Ana"}, 422, "body: is required"),
    ({"author": "Ana", "body": "   "}, 422, "body"),
    ({"author": "Ana", "body": "x" * 5001}, 422, "at most 5000"),
    ({"author": "", "body": "Hi"}, 422, "author"),
    ({"author": "A" * 81, "body": "Hi"}, 422, "at most 80"),
    ({"author": "Ana", "body": 42}, 422, "body"),
    ({"author": "Ana", "body": "a\x00b"}, 422, "control characters"),
    ({"author": "Ana", "body": "\u200b\u2060\ufeff"}, 422, "visible characters"),
    ({"author": "\u200b", "body": "Hi"}, 422, "author: must contain visible"),
    ({"author": "Ana", "body": "Hi", "admin": True}, 422, "admin: is not a known field"),
    ({"author": "Ana", "body": "Hi", "parent_id": "nope"}, 422, "parent_id"),
    ({"author": "Ana", "body": "Hi", "parent_id": str(uuid.uuid4())}, 422, "no such comment"),
    (["not", "an", "object"], 422, "JSON object"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(app, client, payload,
                                                                   status, fragment):
    response = client.post(THREAD, json=payload)

    assert response.status_code == status
    assert fragment in response.json["message"]
    assert count(app, Comment) == 0 and count(app, Event) == 0


def test_non_json_bodies_are_refused(app, client):
    assert client.post(THREAD, data="body=hi", content_type="text/plain").status_code == 415
    response = client.post(THREAD, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"] == "invalid_json"
    assert count(app, Comment) == 0


def test_oversized_requests_are_refused(app, client):
    response = client.post(THREAD, json={"author": "Ana", "body": "x" * (70 * 1024)})

    assert response.status_code == 413
    assert "message" in response.json
    assert count(app, Comment) == 0


def test_lone_surrogates_in_json_are_refused(app, client):
    raw = b'{"author": "Ana", "body": "\\ud800 broken"}'

    response = client.post(THREAD, data=raw, content_type="application/json")

    assert response.status_code == 422
    assert count(app, Comment) == 0


@pytest.mark.parametrize("thread", ["has space", "x" * 201, "semi;colon"])
def test_bad_thread_ids_are_refused(client, thread):
    response = client.post(f"/api/v1/threads/{thread}/comments",
                           json={"author": "Ana", "body": "Hi"})
    assert response.status_code == 404
    assert "thread id" in response.json["message"]


def test_a_reply_must_answer_a_comment_of_the_same_thread(client):
    parent = client.post(THREAD, json={"author": "Ana", "body": "First"}).json

    elsewhere = client.post("/api/v1/threads/other/comments",
                            json={"author": "Bo", "body": "Reply", "parent_id": parent["id"]})
    here = client.post(THREAD, json={"author": "Bo", "body": "Reply", "parent_id": parent["id"]})

    assert elsewhere.status_code == 422
    assert here.status_code == 202
    assert here.json["parent_id"] == parent["id"]


def test_unknown_comments_are_404(client):
    assert client.get(f"/api/v1/comments/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/v1/comments/not-a-uuid").json["error"] == "not_found"


def test_thread_pages_hold_approved_comments_oldest_first(app, client):
    start = db.utcnow()
    with app.app_context(), db.transaction() as session:
        for index in range(5):
            session.add(Comment(thread_id="paged", author="Ana", body=f"comment {index}",
                                status=Status.APPROVED,
                                created_at=start + timedelta(seconds=index)))
        session.add(Comment(thread_id="paged", author="Bo", body="held", status=Status.HELD,
                            created_at=db.utcnow()))

    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/v1/threads/paged/comments{query}").json
        seen += [comment["body"] for comment in page["comments"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == [f"comment {index}" for index in range(5)]


@pytest.mark.parametrize("query", ["?limit=0", "?limit=101", "?limit=x", "?cursor=%%%"])
def test_bad_paging_parameters_are_refused(client, query):
    response = client.get(f"{THREAD}{query}")
    assert response.status_code == 400
    assert response.json["message"]
