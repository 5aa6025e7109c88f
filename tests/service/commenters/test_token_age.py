"""Commenters' tokens older than the site's ``token_max_age`` (a day by default, judged by
``iat`` and ``exp``) are refused: a leaked token does not live forever (issue 26.7)."""

from __future__ import annotations

import time

import jwt
import pytest

from tests.service.commenters.conftest import sso_secret
from tests.support.accounts import bearer

pytestmark = pytest.mark.postgres
URL = "/api/v1/threads/t/comments"
DAY = 24 * 3600


def _post(app, client, **claims):
    token = jwt.encode({"sub": "u-1", "name": "Ann"} | claims, sso_secret(app),
                       algorithm="HS256")
    return client.post(URL, json={"body": f"Hello {time.monotonic()}."},
                       headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("claims", [
    {"exp": 253402300799},  # the year 9999
    {"exp": 2**70},
    {"exp": "253402300799"},
    {"exp": int(time.time()) + 2 * DAY},
    {"exp": int(time.time()) + 600, "iat": int(time.time()) - 2 * DAY},
    {"exp": int(time.time()) + 600, "iat": int(time.time()) + 3600},
    {"exp": int(time.time()) + 600, "iat": "yesterday"},
    {"exp": True},
], ids=["year-9999", "2**70", "string", "two-days", "issued-two-days-ago", "issued-later",
        "iat-string", "bool"])
def test_a_token_too_old_or_too_long_lived_is_401(app, client, claims):
    response = _post(app, client, **claims)
    assert (response.status_code, response.json["error"]) == (401, "invalid_token"), claims


def test_a_fresh_token_is_taken(app, client):
    now = int(time.time())
    assert _post(app, client, exp=now + 3600).status_code == 202
    assert _post(app, client, exp=now + DAY - 60, iat=now - 60).status_code == 202


def test_the_site_sets_its_own_longest_life(app, client, tokens):
    admin = bearer(tokens["ada"])
    week = client.patch("/api/v1/sites/default", json={"token_max_age": 7 * DAY},
                        headers=admin)
    assert week.status_code == 200, week.json
    assert client.get("/api/v1/sites/default", headers=admin).json["token_max_age"] == 7 * DAY
    assert _post(app, client, exp=int(time.time()) + 3 * DAY).status_code == 202
    client.patch("/api/v1/sites/default", json={"token_max_age": 300}, headers=admin)
    assert _post(app, client, exp=int(time.time()) + 3600).status_code == 401
    for bad in (0, 59, "1h", 10**12):
        response = client.patch("/api/v1/sites/default", json={"token_max_age": bad},
                                headers=admin)
        assert response.status_code == 422, bad
