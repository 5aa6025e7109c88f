"""Every route of the URL map, sent the values that used to make 5xx (issue 14.1).

The routes and the query parameters come from the app itself (its URL map, and the
names its views read from ``request.args``), so a new route or parameter is covered
without editing this test. Each gets deep JSON bodies, Unicode digits, huge integers
and invalid cursors, and text that no database stores (NUL, controls, lone surrogates) in
every field, query parameter, form field and commenter token; no answer may be a 5xx, API
answers are JSON, dashboard ones HTML. It runs on SQLite and PostgreSQL (issue 26.4).
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from pathlib import Path

import pytest

from service.moderation.schemas import QueueQuery
from tests.support import databases
from tests.support.accounts import bearer, csrf_token, log_in, post_comment, token_for

SERVICE = Path(__file__).parents[2] / "service"
HUGE = "99999999999999999999999999"
DEEP = "[" * 20000 + "]" * 20000


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


UNSTORABLE = ["a\x00b", "a\ud800b", "a\x01b", "a\x9fb"]
"""Text that no database stores (or that no field should hold)."""
FIELDS = ["body", "author", "title", "url", "note", "reason", "message", "name", "description",
          "site", "slug", "locale", "origins", "banned_words", "suspect_words", "events",
          "status", "action", "target", "password", "username", "code", "next", "allowed_domains"]
"""Names of the fields that the routes' bodies and forms take."""
VALUES = ["\u00b2", "\u00b3", "\u2460", "\u0663", HUGE, "-1", "0", "1e999", DEEP[:4000],
          "\x00", "a\x01b", "\u0085", "%", "!!!", _cursor(DEEP[:6000]), _cursor('["x", "y"]'),
          _cursor("[1e999, 1]"),
          _cursor(f'["2026-01-01T00:00:00", "{uuid.uuid4()}", {HUGE}]'),
          _cursor(f'[{HUGE}, "{uuid.uuid4()}"]'), _cursor('{"a": 1}')]
BODIES = [DEEP, '{"a":' * 5000 + "1" + "}" * 5000, '{"body": ' + DEEP + "}",
          '{"comment_ids": [' + DEEP[:3000] + "], \"action\": \"approve\"}",
          '{"limit": ' + HUGE + "}", "\u00b2", '{"url": "http://x", "events": ' + DEEP + "}",
          *(json.dumps({name: bad}) for name in FIELDS for bad in UNSTORABLE[:2]),
          *(json.dumps({name: [bad]}) for name in FIELDS for bad in UNSTORABLE[:2]),
          *(json.dumps({"body": "Hi.", "author": "A", "policy": {name: [bad]}, name: bad})
            for name in FIELDS for bad in UNSTORABLE)]
DOCUMENTED_503 = {"/readyz"}
"""Not ready is an answer there: no scoring worker runs here."""
UNPERSPECTIVE = "/v1alpha1"
"""Another engineer's routes, tested by their own suite (see the report of issue 14)."""


def query_parameters() -> list[str]:
    """Every query parameter a view reads: ``request.args`` and the queue's model."""
    names = set(QueueQuery.model_fields)
    for path in SERVICE.rglob("*.py"):
        text = path.read_text()
        names |= set(re.findall(r'request\.(?:args|values)\.get\("(\w+)"', text))
        names |= set(re.findall(r'_int_arg\("(\w+)"', text))
    return sorted(names)


def urls(rule, ids: dict[str, str]) -> list[str]:
    """The rule's path with good ids, then with each bad value in each of its variables."""
    def build(bad: str | None, where: str | None) -> str:
        path = rule.rule
        for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule.rule):
            value = ids.get(name, "t1") if name != where else bad
            if converter == "int" and name != where:
                value = ids.get(name, "1")
            path = re.sub(rf"<(?:\w+:)?{name}>", value, path)
        return path

    found = [build(None, None)]
    for name in re.findall(r"<(?:\w+:)?(\w+)>", rule.rule):
        found += [build(bad, name) for bad in (HUGE, "\u00b2", "x" * 300, str(uuid.uuid4()))]
    return found


def commenter_token(app, sub: str, name: str = "Ann", **claims: object) -> dict[str, str]:
    """The header of a commenter of the site default, signed in with its SSO secret."""
    import time

    import jwt
    from sqlalchemy import select

    from service import db
    from service.sites.models import Site

    with app.app_context():
        secret = db.session().scalar(select(Site.sso_secret).where(Site.slug == "default"))
    token = jwt.encode({"sub": sub, "name": name, "exp": int(time.time()) + 3600} | claims,
                       secret, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


# A database of its own, on PostgreSQL too: NUL and lone surrogates fail there first.
database_url = databases.database_fixture("module", "no-5xx")


@pytest.fixture
def settings(settings: dict) -> dict:
    settings.update(RATELIMIT_ENABLED=False, WEBHOOK_ALLOW_PRIVATE_URLS=True)
    return settings


@pytest.mark.timeout(600)
def test_no_route_answers_any_of_these_values_with_a_5xx(app, client):
    from tests.support.accounts import add

    add(app, "ada", role="admin")
    headers = bearer(token_for(app, "ada"))
    assert log_in(client, "ada").status_code == 302
    csrf = csrf_token(client, "/dashboard/queue")
    comment_id = post_comment(client, "A comment to look at.")
    endpoint = client.post("/api/v1/webhooks", headers=headers,
                           json={"url": "http://127.0.0.1:9/hook", "events": ["comment.held"]})
    assert endpoint.status_code == 201, endpoint.json
    signed_in = client.post("/api/v1/threads/t1/comments", json={"body": "Signed in."},
                            headers=commenter_token(app, "u-1"))
    assert signed_in.status_code == 202, signed_in.json
    ids = {"comment_id": comment_id, "endpoint_id": endpoint.json["id"], "thread_id": "t1",
           "site": "default", "sub": "u-1"}
    parameters = query_parameters()
    assert {"limit", "cursor", "before", "order", "status"} <= set(parameters)

    failures: dict[str, None] = {}
    sent = 0

    def send(method: str, url: str, **kwargs) -> None:
        nonlocal sent
        sent += 1
        extra = {"Accept": "text/html"} if url.startswith("/dashboard/") else {}
        response = client.open(url, method=method, headers=headers | extra, **kwargs)
        if response.status_code >= 500 and not (url in DOCUMENTED_503
                                                 and response.status_code == 503):
            failures.setdefault(
                f"{method} {url[:120]} {str(kwargs)[:80]} -> {response.status_code}")
        elif response.status_code >= 400 and url.startswith("/api/") and not response.is_json:
            failures.setdefault(f"{method} {url[:120]} -> {response.status_code}, not JSON")
        elif (response.status_code >= 400 and url.startswith("/dashboard/")
              and response.mimetype != "text/html"):
            failures.setdefault(f"{method} {url[:120]} -> {response.status_code} "
                            f"{response.mimetype}, not HTML")

    rules = [rule for rule in app.url_map.iter_rules()
             if not rule.rule.startswith(UNPERSPECTIVE) and "static" not in rule.endpoint
             and rule.endpoint != "dashboard_login.logout"]
    for rule in rules:
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for url in urls(rule, ids):
                send(method, url)
            base = urls(rule, ids)[0]
            for name in parameters:
                for value in VALUES:
                    send(method, base, query_string={name: value})
            if method in {"POST", "PATCH", "PUT"}:
                for body in BODIES:
                    send(method, base, data=body, content_type="application/json")
                    send(method, base, data={"csrf_token": csrf, "url": body[:5000],
                                             "comment_ids": [body[:100], HUGE],
                                             "action": "approve", "before": HUGE})
                for bad in UNSTORABLE:  # a form cannot carry a lone surrogate (not UTF-8)
                    bad = bad.replace("\ud800", "\x7f")
                    send(method, base, data={"csrf_token": csrf, **dict.fromkeys(FIELDS, bad)})
    for bad in UNSTORABLE:  # commenters' tokens whose claims no database stores
        for claims in ({"sub": bad}, {"sub": "u-3", "name": bad}, {"sub": "u-4", "note": bad}):
            token = commenter_token(app, **claims)
            for url in ("/api/v1/threads/t1/comments", f"/api/v1/comments/{comment_id}/reports",
                        "/api/v1/sites/default/threads/t1/comments"):
                response = client.post(url, json={"body": "Signed.", "reason": "spam"},
                                       headers=token)
                sent += 1
                if response.status_code >= 500 or not response.is_json:
                    failures.setdefault(f"POST {url} {claims!r} -> {response.status_code}")
    assert not failures, (f"{len(failures)} of {sent} requests failed:\n"
                          + "\n".join(list(failures)[:60]))
    assert sent > 2000
