"""Text that no database stores (NUL, other controls, lone surrogates) is a 4xx naming the
field, on SQLite and PostgreSQL, and nothing is stored (issue 26.4)."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from sqlalchemy import func, select

from service import db
from service.comments.models import Comment
from service.sites.models import Site
from tests.support import databases
from tests.support.accounts import bearer, csrf_token, log_in, token_for

BAD = ["a\u0000b", "a\ud800b", "a\u0001b", "a\u009fb"]
IDS = ["nul", "surrogate", "control", "c1"]


database_url = databases.database_fixture("module", "unstorable")


@pytest.fixture
def settings(settings: dict) -> dict:
    settings.update(RATELIMIT_ENABLED=False)
    return settings


def raw_json(value: object) -> str:
    """JSON with lone surrogates escaped as they come from a client (``\\ud800``)."""
    return json.dumps(value)


def _send(client, method: str, url: str, body: object, **headers: str):
    return client.open(url, method=method, data=raw_json(body), headers=headers,
                       content_type="application/json")


def _token(app, **claims: object) -> str:
    with app.app_context():
        secret = db.session().scalar(select(Site.sso_secret).where(Site.slug == "default"))
    token = jwt.encode({"sub": "u-1", "name": "Ann", "exp": int(time.time()) + 600} | claims,
                       secret, algorithm="HS256")
    return f"Bearer {token}"


@pytest.mark.parametrize("bad", BAD, ids=IDS)
def test_every_field_refuses_unstorable_text(app, client, accounts, bad):
    admin = bearer(accounts["ada"])
    post = "/api/v1/threads/t1/comments"
    assert _send(client, "POST", post, {"body": "Hi.", "author": "A"}).status_code == 202
    cases = [
        ("POST", post, {"body": "Hi.", "author": "A", "title": bad}, {}, "title"),
        ("POST", post, {"body": "Hi.", "author": "A", "url": "https://x.example/" + bad}, {},
         "url"),
        ("POST", post, {"body": bad, "author": "A"}, {}, "body"),
        ("POST", post, {"body": "Hi.", "author": bad}, {}, "author"),
        ("PATCH", "/api/v1/moderation/sites/default/threads/t1", {"title": bad}, admin, "title"),
        ("PATCH", "/api/v1/moderation/sites/default/threads/t1",
         {"url": "https://x.example/" + bad}, admin, "url"),
        ("PATCH", "/api/v1/sites/default", {"policy": {"banned_words": [bad]}}, admin,
         "banned_words"),
        ("PATCH", "/api/v1/sites/default", {"name": bad}, admin, "name"),
        ("POST", "/api/v1/webhooks", {"url": "https://x.example/", "events": ["comment.held"],
                                      "description": bad}, admin, "description"),
    ]
    for method, url, body, headers, field in cases:
        response = _send(client, method, url, body, **headers)
        assert response.status_code == 422, (url, body, response.json)
        assert field in response.json["message"], response.json
    # The JWT's claims: a bad sub or name is a bad token.
    for claims in ({"sub": bad}, {"name": bad}):
        signed = _send(client, "POST", post, {"body": "Signed."},
                       Authorization=_token(app, **claims))
        assert (signed.status_code, signed.json["error"]) == (401, "invalid_token"), claims
    # A commenter's note, once they exist.
    assert _send(client, "POST", post, {"body": "Me."},
                 Authorization=_token(app)).status_code == 202
    note = _send(client, "PATCH", "/api/v1/moderation/sites/default/commenters/u-1",
                 {"note": bad}, **admin)
    assert note.status_code == 422 and "note" in note.json["message"]
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Comment)) == 2
    assert client.get("/api/v1/sites/default", headers=admin).status_code == 200


@pytest.mark.parametrize("bad", ["a\u0000b", "a\u0001b"], ids=["nul", "control"])
def test_dashboard_forms_and_queries_refuse_it_with_a_page(app, accounts, bad):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT"] = "text/html"  # a browser
    assert log_in(client, "ada").status_code == 302
    token = csrf_token(client, "/dashboard/settings")
    saved = client.post("/dashboard/settings", data={
        "csrf_token": token, "target": "2%", "banned_words": f"fine\n{bad}"})
    assert saved.status_code == 422 and saved.mimetype == "text/html"
    assert "banned_words" in saved.text
    assert client.get("/dashboard/settings").status_code == 200
    queue = client.get("/dashboard/queue", query_string={"thread": bad})
    assert queue.status_code == 400 and queue.mimetype == "text/html"
    api = client.get("/api/v1/moderation/queue", query_string={"site": bad},
                     headers=bearer(token_for(app, "ada")))
    assert api.status_code == 422 and "site" in api.json["message"]
