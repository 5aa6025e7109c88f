"""Every moderation route refuses strangers, and admin-only routes refuse moderators.

The routes are enumerated from ``app.url_map``, so that a route added later is
checked too: each one under ``/api/v1/moderation`` or ``/dashboard`` must carry
``require_token`` or ``login_required`` (only the login page and static files are
open).
"""

from __future__ import annotations

import uuid

import pytest
from werkzeug.routing import Rule

from tests.support.accounts import bearer, csrf_token

OPEN = {"dashboard_login.login", "dashboard.static", "dashboard_stats.static"}
API_PREFIXES = ("/api/v1/moderation",)


def _url(rule: Rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__
        values[name] = (1 if kind == "IntegerConverter"
                        else uuid.uuid4() if kind == "UUIDConverter" else str(uuid.uuid4()))
    return rule.build(values)[1]


def _routes(app, *prefixes: str) -> list[tuple[str, str, Rule]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OPEN or not rule.rule.startswith(prefixes):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, _url(rule), rule))
    assert routes, f"no routes under {prefixes}"
    return routes


def test_every_moderation_route_is_guarded(app):
    unguarded = [rule.rule for _, _, rule in _routes(app, *API_PREFIXES, "/dashboard")
                 if not hasattr(app.view_functions[rule.endpoint], "required_role")]
    assert unguarded == []


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer mod_not-a-real-token"}, {"Authorization": "Basic bWlhOng="},
    {"Authorization": "Bearer "},
], ids=["none", "unknown", "basic", "empty"])
def test_the_moderation_api_refuses_without_a_valid_token(app, client, accounts, headers):
    for method, url, _ in _routes(app, *API_PREFIXES):
        response = client.open(url, method=method, headers=headers, json={})
        assert response.status_code == 401, (method, url)
        assert response.json["error"] in {"missing_token", "invalid_token"}
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_dashboard_sends_strangers_to_the_login_page(app, client):
    token = csrf_token(client)
    for method, url, _ in _routes(app, "/dashboard"):
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/dashboard/login?next="), (method, url)


def test_a_dashboard_session_does_not_open_the_api(app, moderator_client):
    for method, url, _ in _routes(app, *API_PREFIXES):
        assert moderator_client.open(url, method=method, json={}).status_code == 401


def test_moderators_are_refused_what_only_admins_may_do(app, accounts, moderator_client):
    admin_only = [(method, url, rule) for method, url, rule in _routes(app, "/api/", "/dashboard")
                  if getattr(app.view_functions[rule.endpoint], "required_role", "") == "admin"]
    assert any(url == "/dashboard/settings" for _, url, _ in admin_only)
    token = csrf_token(moderator_client, "/dashboard/queue")
    for method, url, _ in admin_only:
        if url.startswith("/api/"):
            response = app.test_client().open(url, method=method, json={},
                                              headers=bearer(accounts["mia"]))
            assert response.status_code == 403, (method, url)
            assert response.json["error"] == "forbidden"
        else:
            response = moderator_client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 403, (method, url)


def test_dashboard_pages_carry_strict_security_headers(moderator_client):
    for path in ("/dashboard/queue", "/dashboard/login", "/dashboard/static/dashboard.js"):
        headers = moderator_client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
    assert moderator_client.get("/dashboard/queue").headers["Cache-Control"] == "no-store"


def test_dashboard_templates_have_no_inline_script_or_style(app):
    loader = app.jinja_env.loader
    names = [name for name in app.jinja_env.list_templates() if name.startswith("dashboard/")]
    assert "dashboard/queue.html" in names
    for name in names:
        source = loader.get_source(app.jinja_env, name)[0]
        assert "<script>" not in source and "<style" not in source, name
        assert " style=" not in source and " onclick=" not in source, name
        assert "|safe" not in source.replace(" ", ""), name
