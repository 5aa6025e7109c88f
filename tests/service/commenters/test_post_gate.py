"""The POST's gate (service.comments.intake) across web processes: what one process
changes, another's very next POST obeys (nothing about a site or thread is kept
between requests). Two apps on one database and Redis stand for two gunicorn workers."""

from __future__ import annotations

import pytest

from service.app import create_app
from tests.service.commenters.conftest import set_site, signed, sso_secret
from tests.support.accounts import bearer
from tests.support.databases import recorded_statements

pytestmark = pytest.mark.postgres
URL = "/api/v1/threads/city-budget/comments"


@pytest.fixture
def other_process(app, settings):
    """A second app on the same database and Redis, as another web process would be."""
    second = create_app(settings)
    yield second
    second.extensions["db"].kw["bind"].dispose()


def post(client, body: str, **options):
    return client.post(URL, json={"body": body, "author": "Ann", **options.pop("json", {})},
                       **options)


def test_a_thread_closed_in_one_process_refuses_the_next_post_in_another(
        client, other_process, tokens):
    assert post(client, "First.").status_code == 202  # the thread is read, and made
    closed = other_process.test_client().patch(
        "/api/v1/moderation/sites/default/threads/city-budget", json={"closed": True},
        headers=bearer(tokens["mia"]))
    assert closed.status_code == 200, closed.json
    response = post(client, "Second.")
    assert response.status_code == 403
    assert response.json["error"] == "thread_closed"


def test_a_site_s_settings_changed_elsewhere_count_from_the_next_post(
        app, client, other_process, tokens):
    old_secret = sso_secret(app)
    assert post(client, "Signed in.", headers=signed(old_secret)).status_code == 202
    set_site(other_process, anonymous_allowed=False)
    response = post(client, "Anonymous.")
    assert response.status_code == 401
    assert response.json["error"] == "sign_in_required"
    rotated = other_process.test_client().post("/api/v1/sites/default/sso-secret",
                                               headers=bearer(tokens["ada"]))
    assert rotated.status_code == 200, rotated.json
    refused = post(client, "With the old secret.", headers=signed(old_secret))
    assert refused.status_code == 401
    assert refused.json["error"] == "invalid_token"
    assert post(client, "With the new one.",
                headers=signed(rotated.json["sso_secret"])).status_code == 202


def test_a_thread_filled_by_another_process_refuses_with_429(settings, other_process):
    settings["MAX_PENDING_PER_THREAD"] = 2
    app = create_app(settings)
    try:
        filler = other_process.test_client()
        assert [post(filler, f"Comment {n}.").status_code for n in range(2)] == [202, 202]
        response = post(app.test_client(), "One too many.")
        assert response.status_code == 429
        assert "Retry-After" in response.headers
        # Another thread of the site still takes comments.
        assert app.test_client().post("/api/v1/threads/other-story/comments", json={
            "body": "Elsewhere.", "author": "Bob"}).status_code == 202
    finally:
        app.extensions["db"].kw["bind"].dispose()


def test_an_unknown_site_is_404_before_a_bad_thread_id(client):
    response = client.post("/api/v1/sites/nowhere/threads/bad%20id/comments",
                           json={"body": "Hello.", "author": "Ann"})
    assert (response.status_code, response.json["error"]) == (404, "site_not_found")
    response = client.post("/api/v1/sites/default/threads/bad%20id/comments",
                           json={"body": "Hello.", "author": "Ann"})
    assert (response.status_code, response.json["error"]) == (404, "invalid_thread_id")


def test_a_post_reads_with_two_statements_before_it_writes(app, client):
    assert post(client, "A first comment, to warm up.").status_code == 202
    with recorded_statements(app) as statements:
        assert post(client, "Borders matter.").status_code == 202
    selects = [s.upper() for s in statements if s.upper().startswith("SELECT")]
    # the site, its thread and the pending count; the author's recent texts (repeat check)
    assert len(selects) == 2, selects
    assert "FROM SITES" in selects[0] and "THREADS" in selects[0], selects[0]
