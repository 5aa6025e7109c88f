"""Per-client rate limits on posting, counted in Redis."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service import db
from service.app import create_app
from service.comments.models import Comment

THREAD = "/api/v1/threads/limits/comments"


def post(client, number: int, **kwargs):
    return client.post(THREAD, json={"author": "Ana", "body": f"Comment {number}"}, **kwargs)


def stored(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Comment))


@pytest.fixture
def settings(settings: dict) -> dict:
    settings["RATE_LIMIT_POST"] = "2/minute;10/hour"
    return settings


def test_posting_too_fast_answers_429_with_retry_after_and_stores_nothing(app, client):
    assert [post(client, n).status_code for n in range(2)] == [202, 202]

    refused = post(client, 3)

    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert refused.json == {
        "error": "rate_limited",
        "message": f"You're posting too fast; try again in {wait} seconds.",
        "retry_after": wait,
    }
    assert stored(app) == 2


def test_reading_and_preflight_requests_do_not_count(client):
    for _ in range(5):
        assert client.get(THREAD).status_code == 200
        client.options(THREAD, headers={"Origin": "http://localhost",
                                        "Access-Control-Request-Method": "POST"})

    assert [post(client, n).status_code for n in range(3)] == [202, 202, 429]


def test_each_client_address_has_its_own_allowance(client):
    ana = {"environ_base": {"REMOTE_ADDR": "198.51.100.7"}}
    bo = {"environ_base": {"REMOTE_ADDR": "198.51.100.8"}}
    for n in range(2):
        assert post(client, n, **ana).status_code == 202

    assert post(client, 3, **ana).status_code == 429
    assert post(client, 4, **bo).status_code == 202


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(settings, client):
    for n in range(2):
        post(client, n)
    spoofed = {"headers": {"X-Forwarded-For": "203.0.113.9"}}
    assert post(client, 3, **spoofed).status_code == 429

    behind_proxy = create_app(settings | {"TRUSTED_PROXIES": 1}).test_client()
    assert post(behind_proxy, 4, **spoofed).status_code == 202
    assert post(behind_proxy, 5, headers={"X-Forwarded-For": "203.0.113.10"}).status_code == 202


def test_the_count_is_kept_in_redis_and_shared_by_web_processes(settings, client, redis):
    other_process = create_app(settings).test_client()

    assert post(client, 1).status_code == 202
    assert post(other_process, 2).status_code == 202
    assert post(client, 3).status_code == 429
    assert any(b"moderation" in key for key in redis.scan_iter("LIMITS*"))


def test_limits_can_be_switched_off(settings, request):
    settings |= {"RATELIMIT_ENABLED": False, "RATE_LIMIT_POST": "1/minute"}
    client = request.getfixturevalue("client")

    assert [post(client, n).status_code for n in range(3)] == [202, 202, 202]


def test_a_limit_that_does_not_parse_names_the_setting(settings):
    with pytest.raises(ValueError, match="RATE_LIMIT_POST"):
        create_app(settings | {"RATE_LIMIT_POST": "often"})
