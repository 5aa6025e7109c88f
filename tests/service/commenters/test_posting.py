"""Who may post: commenters' tokens (401), bans (403), closed threads (403), the sites
that take anonymous comments (headlines: tests/service/threads/test_headlines.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service import db
from service.commenters.models import Commenter
from service.comments.models import Comment
from tests.service.commenters.conftest import set_site, signed, sso_secret
from tests.support.accounts import bearer

pytestmark = pytest.mark.postgres
URL = "/api/v1/threads/city-budget/comments"


def test_a_signed_in_commenter_posts_under_the_token_s_name(app, client):
    response = client.post(URL, json={"body": "Fund the buses.", "author": "Someone else"},
                           headers=signed(sso_secret(app)))
    assert response.status_code == 202, response.json
    with app.app_context():
        comment = db.session().scalar(select(Comment))
        commenter = db.session().get(Commenter, comment.commenter_id)
        assert (comment.author, commenter.sub, commenter.name) == ("Ann Reader", "u-1",
                                                                   "Ann Reader")
    # Without author in the body, too; and the commenter is the same row next time.
    again = client.post(URL, json={"body": "And the trams."},
                        headers=signed(sso_secret(app), name="Ann R."))
    assert again.status_code == 202, again.json
    with app.app_context():
        assert [c.name for c in db.session().scalars(select(Commenter))] == ["Ann R."]


@pytest.mark.parametrize("header", [
    "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer ",
])
def test_a_malformed_token_is_401_and_stores_nothing(app, client, header):
    response = client.post(URL, json={"body": "Hello.", "author": "Ann"},
                           headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json["error"] == "invalid_token"
    with app.app_context():
        assert db.session().scalar(select(Comment)) is None


def test_a_token_signed_with_another_secret_is_401(app, client, other_site):
    response = client.post(URL, json={"body": "Hello."},
                           headers=signed(sso_secret(app, "other")))
    assert response.status_code == 401
    assert response.json["error"] == "invalid_token"
    assert "secret" in response.json["message"]
    with app.app_context():
        assert db.session().scalar(select(Commenter)) is None


def test_an_expired_token_is_401(app, client):
    response = client.post(URL, json={"body": "Hello."},
                           headers=signed(sso_secret(app), expires_in=-3600))
    assert response.status_code == 401
    assert response.json["error"] == "invalid_token"
    assert "expired" in response.json["message"]


def test_a_token_without_a_name_or_expiry_is_401(app, client):
    import jwt
    for claims in ({"sub": "u-1", "exp": 4102444800}, {"sub": "u-1", "name": "Ann"}):
        token = jwt.encode(claims, sso_secret(app), algorithm="HS256")
        response = client.post(URL, json={"body": "Hello."}, headers=bearer(token))
        assert response.status_code == 401, claims
        assert response.json["error"] == "invalid_token"


def test_a_site_without_anonymous_comments_asks_to_sign_in(app, client):
    set_site(app, anonymous_allowed=False)
    response = client.post(URL, json={"body": "Hello.", "author": "Ann"})
    assert response.status_code == 401
    assert response.json["error"] == "sign_in_required"
    assert client.post(URL, json={"body": "Hello."},
                       headers=signed(sso_secret(app))).status_code == 202
    # Anonymous without a name where allowed: the name is required.
    set_site(app, anonymous_allowed=True)
    response = client.post(URL, json={"body": "Hello again."})
    assert response.status_code == 422
    assert "author" in response.json["fields"]


def test_a_banned_commenter_gets_403_and_stores_nothing(app, client, tokens):
    assert client.post(URL, json={"body": "First."},
                       headers=signed(sso_secret(app))).status_code == 202
    ban = client.patch("/api/v1/moderation/sites/default/commenters/u-1",
                       json={"status": "banned", "note": "Repeated abuse."},
                       headers=bearer(tokens["mia"]))
    assert ban.status_code == 200, ban.json
    response = client.post(URL, json={"body": "Second."}, headers=signed(sso_secret(app)))
    assert response.status_code == 403
    assert response.json["error"] == "commenter_banned"
    with app.app_context():
        assert db.session().scalar(select(Comment.body).where(Comment.body == "Second.")) is None


def test_a_closed_thread_refuses_new_comments(app, client, tokens):
    assert client.post(URL, json={"body": "First.", "author": "Ann"}).status_code == 202
    closed = client.patch("/api/v1/moderation/sites/default/threads/city-budget",
                          json={"closed": True}, headers=bearer(tokens["mia"]))
    assert closed.status_code == 200, closed.json
    assert closed.json["closed"] is True
    response = client.post(URL, json={"body": "Second.", "author": "Bob"})
    assert response.status_code == 403
    assert response.json["error"] == "thread_closed"
    listing = client.get(URL).json
    assert listing["thread"]["closed"] is True
    # Another thread of the site still takes comments.
    assert client.post("/api/v1/threads/other-story/comments",
                       json={"body": "Elsewhere.", "author": "Bob"}).status_code == 202


def test_a_bad_title_or_url_is_422(client):
    for extra in ({"title": "x" * 301}, {"url": "javascript:alert(1)"}, {"title": 7}):
        response = client.post(URL, json={"body": "Hello.", "author": "Ann", **extra})
        assert response.status_code == 422, extra
