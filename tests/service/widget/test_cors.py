"""Cross-origin access to the public API: allowed sites may read it, others may not."""

from __future__ import annotations

import pytest

from service import db
from service.sites.models import Site
from tests.support.databases import recorded_statements

THREAD = "/api/v1/threads/ukraine-peace-deal/comments"
PUBLISHER = "https://news.example"
STRANGER = "https://evil.example"


@pytest.fixture
def settings(settings: dict) -> dict:
    settings["CORS_ALLOWED_ORIGINS"] = [PUBLISHER, "https://other.example/"]
    return settings


@pytest.mark.parametrize("origin", [PUBLISHER, "https://other.example", "http://localhost"])
def test_an_allowed_origin_may_read_the_thread(client, origin):
    response = client.get(THREAD, headers={"Origin": origin})

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Origin" in response.headers["Vary"]
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]


def test_an_allowed_origin_may_post_and_read_the_answer(client):
    response = client.post(THREAD, json={"author": "Ana", "body": "Hello"},
                           headers={"Origin": PUBLISHER})

    assert response.status_code == 202
    assert response.headers["Access-Control-Allow-Origin"] == PUBLISHER
    status = client.get(response.headers["Location"], headers={"Origin": PUBLISHER})
    assert status.headers["Access-Control-Allow-Origin"] == PUBLISHER


def test_errors_carry_cors_headers_so_the_widget_can_show_their_message(client):
    response = client.post(THREAD, json={"author": "Ana", "body": ""},
                           headers={"Origin": PUBLISHER})

    assert response.status_code == 422
    assert response.headers["Access-Control-Allow-Origin"] == PUBLISHER
    assert "body" in response.json["message"]


@pytest.mark.parametrize("origin", [STRANGER, "https://news.example.evil.example", "null",
                                    "http://news.example"])
def test_another_origin_gets_no_cors_headers(client, origin):
    response = client.get(THREAD, headers={"Origin": origin})

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.headers["Vary"]


def test_preflight_for_posting_json_is_answered_for_an_allowed_origin(client):
    response = client.options(THREAD, headers={
        "Origin": PUBLISHER,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    })

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == PUBLISHER
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"].lower() == (
        "content-type, authorization, x-author-token")
    assert int(response.headers["Access-Control-Max-Age"]) > 0


def test_preflight_from_another_origin_is_not_allowed(client):
    response = client.options(THREAD, headers={
        "Origin": STRANGER, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    })

    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


@pytest.mark.parametrize("path", ["/healthz", "/widget.js", "/api/v1/moderation/queue"])
def test_only_the_public_api_gets_cors_headers(client, path):
    response = client.get(path, headers={"Origin": PUBLISHER})

    assert "Access-Control-Allow-Origin" not in response.headers


SITE_B = "https://site-b.example"


@pytest.fixture
def site_b(app) -> str:
    """A second site whose widget may only be embedded on its own origin."""
    with app.app_context(), db.transaction() as session:
        session.add(Site(slug="site-b", name="Site B", origins=[SITE_B], locale="fr"))
    return "/api/v1/sites/site-b/threads/ukraine-peace-deal/comments"


def test_a_sites_own_origin_may_use_its_paths_and_only_its_own(client, site_b):
    assert client.get(site_b, headers={"Origin": SITE_B}).headers[
        "Access-Control-Allow-Origin"] == SITE_B
    for origin in (PUBLISHER, STRANGER):
        assert "Access-Control-Allow-Origin" not in client.get(
            site_b, headers={"Origin": origin}).headers
    # The configured origins stay the default site's; site B's is not one of them.
    assert "Access-Control-Allow-Origin" not in client.get(
        THREAD, headers={"Origin": SITE_B}).headers


def test_a_signed_in_post_from_a_sites_origin_is_preflighted_with_its_token(client, site_b):
    response = client.options(site_b, headers={
        "Origin": SITE_B, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    })

    assert response.headers["Access-Control-Allow-Origin"] == SITE_B
    allowed = {name.strip().lower() for name in
               response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed


def test_a_comment_posted_on_a_site_can_be_followed_from_its_origin(client, site_b):
    posted = client.post(site_b, json={"author": "Ana", "body": "Bonjour"},
                         headers={"Origin": SITE_B})
    assert posted.status_code == 202, posted.json

    status = client.get(posted.headers["Location"], headers={"Origin": SITE_B})

    assert status.headers["Access-Control-Allow-Origin"] == SITE_B
    assert "Access-Control-Allow-Origin" not in client.get(
        posted.headers["Location"], headers={"Origin": STRANGER}).headers


@pytest.mark.parametrize("path", ["/api/v1/sites", "/api/v1/sites/site-b",
                                  "/api/v1/sites/unknown/threads/a/comments"])
def test_the_sites_admin_api_and_unknown_sites_get_no_cors(client, site_b, path):
    response = client.get(path, headers={"Origin": SITE_B})

    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_widgets_post_and_page_read_their_site_once(app, client, site_b):
    """The CORS hook takes the site the view read: no statement of its own."""
    assert client.post(site_b, json={"author": "Ana", "body": "Warm up."},
                       headers={"Origin": SITE_B}).status_code == 202
    with recorded_statements(app) as recorded:
        posted = client.post(site_b, json={"author": "Bo", "body": "Bonjour"},
                             headers={"Origin": SITE_B})
        page = client.get(site_b, headers={"Origin": SITE_B})
    statements = [s.upper() for s in recorded]

    assert posted.headers["Access-Control-Allow-Origin"] == SITE_B
    assert page.headers["Access-Control-Allow-Origin"] == SITE_B
    sites_read = [s for s in statements if s.startswith("SELECT") and "FROM SITES" in s]
    assert len(sites_read) == 2, sites_read  # the POST's gate, the page's site
