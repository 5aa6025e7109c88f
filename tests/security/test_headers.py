"""Security headers: strict CSP on the HTML pages, no framing, no MIME sniffing anywhere."""

from __future__ import annotations

import pytest

from tests.support.accounts import add, log_in

HTML_PAGES = ["/", "/dashboard/login", "/dashboard/queue", "/dashboard/audit",
              "/dashboard/tokens", "/dashboard/settings", "/dashboard/webhooks"]
OTHER = ["/widget.js", "/dashboard/static/dashboard.js", "/openapi.json", "/healthz",
         "/api/v1/threads/some-thread/comments", "/api/v1/comments/not-an-id",
         "/api/v1/moderation/queue"]


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed.setdefault(name.lower(), values) if name else None
    return parsed


@pytest.fixture
def admin(app):
    add(app, "ada", role="admin")
    client = app.test_client()
    assert log_in(client, "ada").status_code == 302
    return client


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_allow_no_inline_script_and_no_framing(app, admin, path):
    response = (app.test_client() if path == "/dashboard/login" else admin).get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    policy = directives(response.headers["Content-Security-Policy"])
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts is not None, "no script-src nor default-src"
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(
        scripts)
    assert policy.get("object-src", policy.get("default-src")) in (["'none'"], ["'self'"])
    framing = policy.get("frame-ancestors") == ["'none'"] or response.headers.get(
        "X-Frame-Options") in {"DENY", "SAMEORIGIN"}
    assert framing, "the page may be framed (clickjacking)"


@pytest.mark.parametrize("path", HTML_PAGES + OTHER)
def test_every_response_forbids_mime_sniffing(admin, path):
    response = admin.get(path)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", (
        path, response.status_code, response.mimetype)
