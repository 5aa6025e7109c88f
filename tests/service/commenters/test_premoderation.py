"""Pre-moderation holds a comment whatever its scores: a pre-moderated commenter's, a
pre-moderated thread's, and a new commenter's first N (a trusted commenter skips those).
The real worker decides, under thresholds that publish everything else."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from service import db
from service.comments.models import Decision
from tests.service.commenters.conftest import set_site, signed, sso_secret
from tests.support.accounts import bearer, status
from tests.support.work import drain

pytestmark = pytest.mark.postgres
URL = "/api/v1/threads/city-budget/comments"


posted_tokens: dict[str, str] = {}
"""The author tokens of the comments posted, by id."""


def _post(client, body: str, headers: dict | None = None, url: str = URL) -> str:
    payload = {"body": body} if headers else {"body": body, "author": "Anon"}
    response = client.post(url, json=payload, headers=headers or {})
    assert response.status_code == 202, response.json
    posted_tokens[response.json["id"]] = response.json["author_token"]
    return response.json["id"]


def _reason(app, comment_id: str) -> str:
    with app.app_context():
        return db.session().scalar(select(Decision.reason).where(
            Decision.comment_id == uuid.UUID(comment_id)))


def test_a_premoderated_commenter_s_comments_are_held(app, client, tokens):
    headers = signed(sso_secret(app))
    first = _post(client, "Before the change.", headers)
    drain(app)
    assert status(client, first) == "approved"
    response = client.patch("/api/v1/moderation/sites/default/commenters/u-1",
                            json={"status": "premoderated"}, headers=bearer(tokens["mia"]))
    assert response.status_code == 200
    second = _post(client, "After the change.", headers)
    anonymous = _post(client, "Someone else's.")
    drain(app)
    assert status(client, second) == "held"
    assert "commenter" in _reason(app, second) and "pre-moderation" in _reason(app, second)
    assert status(client, anonymous) == "approved"


def test_a_premoderated_thread_holds_every_comment(app, client, tokens):
    response = client.patch("/api/v1/moderation/sites/default/threads/city-budget",
                            json={"premoderation": True}, headers=bearer(tokens["mia"]))
    assert response.status_code == 200, response.json
    held = _post(client, "On the thread.")
    elsewhere = _post(client, "Elsewhere.", url="/api/v1/threads/other/comments")
    drain(app)
    assert status(client, held) == "held"
    assert _reason(app, held) == "pre-moderation: every comment on this thread is held"
    assert status(client, elsewhere) == "approved"
    # The author is told why, in plain words.
    token = posted_tokens[held]
    author_view = client.get(f"/api/v1/comments/{held}", headers={"X-Author-Token": token})
    assert author_view.json["reason"] == {
        "code": "premoderation.thread",
        "text": "A moderator reads every comment on this article before it is published."}


def test_a_new_commenter_s_first_comments_are_held_unless_trusted(app, client, tokens):
    set_site(app, policy={"new_commenter_premoderation": 2})
    newcomer = signed(sso_secret(app), sub="new")
    ids = [_post(client, f"Comment number {n}.", newcomer) for n in range(3)]
    trusted = signed(sso_secret(app), sub="old", name="Old Hand")
    _post(client, "Before trust.", trusted)
    drain(app)
    assert [status(client, comment_id) for comment_id in ids] == ["held", "held", "approved"]
    assert _reason(app, ids[0]) == "pre-moderation: a new commenter's first 2 comments are held"
    client.patch("/api/v1/moderation/sites/default/commenters/old", json={"status": "trusted"},
                 headers=bearer(tokens["mia"]))
    after_trust = _post(client, "After trust.", trusted)
    anonymous = _post(client, "No account.")
    drain(app)
    assert status(client, after_trust) == "approved"
    assert status(client, anonymous) == "approved"


def test_the_site_api_s_new_commenter_setting_reaches_the_scoring_job(app, client, tokens):
    response = client.patch("/api/v1/sites/default", headers=bearer(tokens["ada"]),
                            json={"policy": {"new_commenter_premoderation": 1}})
    assert response.status_code == 200, response.json
    newcomer = signed(sso_secret(app), sub="fresh")
    first, second = (_post(client, body, newcomer) for body in ("Hello.", "Hello again."))
    drain(app)
    assert (status(client, first), status(client, second)) == ("held", "approved")
