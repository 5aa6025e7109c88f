"""Access to every route of the app, enumerated from ``app.url_map``.

A route is open only if it is on the ``PUBLIC`` list below, so that a route added
anywhere later is closed by default or fails this test. ``tests/service/moderation``
covers the moderation API and the dashboard in depth (CSRF, sessions, roles); this
file covers the whole map, and what a revoked token or an expired session can do.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from werkzeug.routing import Rule

from service import db
from service.accounts.models import ApiToken
from service.accounts.services import revoke_token
from tests.support.accounts import add, bearer, csrf_token, log_in, token_for

PUBLIC = {
    "static", "widget.static", "dashboard.static", "dashboard_stats.static",  # files
    "widget.article", "widget.script",  # the demo page and the widget
    "comments.create_comment", "comments.get_comment", "comments.list_comments",  # public API
    "comments.create_site_comment", "comments.list_site_comments",  # the same, per site
    "comments.report", "comments.appeal",  # readers' reports; appeals (an author's token)
    "health.healthz", "health.readyz", "health.prometheus", "openapi.openapi",
    "dashboard_login.login",
}
"""The endpoints anyone may call; everything else needs a token or a dashboard login."""
KEYED = {"perspective.analyze", "perspective.suggest_score"}
"""The Perspective-compatible endpoints: an API key of ``moderation keys create``."""


def routes(app) -> list[tuple[str, str, Rule]]:
    """Every (method, URL, rule) of the app but the public ones, with made-up ids."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC | KEYED:
            continue
        values = {name: 1 if type(converter).__name__ == "IntegerConverter" else uuid.uuid4()
                  for name, converter in rule._converters.items()}
        url = rule.build(values)[1]
        found += [(method, url, rule) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


@pytest.fixture
def settings(settings: dict) -> dict:
    settings.update(RATELIMIT_ENABLED=False)
    return settings


def test_every_route_but_the_public_ones_refuses_strangers(app, client):
    token = csrf_token(client)
    checked = routes(app)
    assert len(checked) >= 30
    for method, url, _ in checked:
        if url.startswith("/api/"):
            response = client.open(url, method=method, json={})
            assert response.status_code == 401, (method, url, response.status_code)
            assert response.json["error"] == "missing_token"
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/dashboard/login"), (method, url)


def test_the_perspective_routes_refuse_a_missing_or_unknown_key(app, client):
    keyed = [rule for rule in app.url_map.iter_rules() if rule.endpoint in KEYED]
    assert len(keyed) == len(KEYED)
    body = {"comment": {"text": "Hello"}, "requestedAttributes": {"TOXICITY": {}}}
    for rule in keyed:
        for query in ("", "?key=nope"):
            response = client.post(rule.rule + query, json=body)
            assert response.status_code == 403, (rule.rule, query, response.status_code)
            assert response.json["error"]["status"] == "PERMISSION_DENIED"


def test_every_closed_route_declares_the_role_it_needs(app):
    undeclared = [rule.rule for _, _, rule in routes(app)
                  if getattr(app.view_functions[rule.endpoint], "required_role", None)
                  not in {"moderator", "admin"}]
    assert undeclared == []


def test_a_revoked_token_stops_working_at_once_on_every_api_route(app, client):
    add(app, "ada", role="admin")
    secret = token_for(app, "ada")
    api = [(method, url) for method, url, _ in routes(app) if url.startswith("/api/")]
    assert client.get("/api/v1/webhooks", headers=bearer(secret)).status_code == 200

    with app.app_context(), db.transaction() as session:
        token = session.scalar(select(ApiToken))
        assert revoke_token(session, token, by="ada")

    for method, url in api:
        response = client.open(url, method=method, json={}, headers=bearer(secret))
        assert response.status_code == 401, (method, url)
        assert response.json["error"] == "invalid_token"


def test_a_token_is_not_a_dashboard_login_nor_a_cookie_an_api_token(app, client):
    add(app, "ada", role="admin")
    secret = token_for(app, "ada")
    assert client.get("/dashboard/queue", headers=bearer(secret)).status_code == 302
    assert log_in(client, "ada").status_code == 302
    assert client.get("/api/v1/webhooks").status_code == 401


def test_an_expired_session_opens_no_admin_page(app, client):
    add(app, "ada", role="admin")
    assert log_in(client, "ada").status_code == 302
    assert client.get("/dashboard/webhooks").status_code == 200
    with client.session_transaction() as session:
        session["login_at"] -= app.permanent_session_lifetime.total_seconds() + 1

    response = client.get("/dashboard/webhooks")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/dashboard/login")
    assert client.get("/dashboard/settings").status_code == 302
