"""Readers' reports count once per signed-in commenter, or per network for anonymous
readers (/24 IPv4, /64 IPv6): one host cannot hide a comment alone (issue 26.5)."""

from __future__ import annotations

import pytest

from service.comments.reports import reporter_of
from tests.service.commenters.conftest import signed, sso_secret
from tests.support.work import drain

pytestmark = pytest.mark.postgres


@pytest.fixture
def settings(settings: dict) -> dict:
    from tests.service.commenters.conftest import APPROVE_ALL

    settings.update(MODERATION_THRESHOLDS=APPROVE_ALL, RATELIMIT_ENABLED=False)
    return settings


@pytest.fixture
def published(app, client) -> str:
    answer = client.post("/api/v1/threads/t/comments",
                         json={"body": "A published opinion.", "author": "Ann"}).json
    drain(app)
    assert client.get(f"/api/v1/comments/{answer['id']}").json["status"] == "approved"
    return answer["id"]


def _report(client, comment_id: str, address: str, **headers: str):
    response = client.post(f"/api/v1/comments/{comment_id}/reports", json={"reason": "spam"},
                           environ_base={"REMOTE_ADDR": address}, headers=headers)
    assert response.status_code == 202, response.json
    return response.json


@pytest.mark.parametrize("addresses", [
    ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"],
    ["198.51.100.7", "198.51.100.8", "198.51.100.250"],
])
def test_one_network_counts_once(app, client, published, addresses):
    answers = [_report(client, published, address) for address in addresses]
    assert [answer["counted"] for answer in answers] == [True, False, False]
    assert answers[-1]["status"] == "approved"


def test_three_networks_hold_the_comment(app, client, published):
    answers = [_report(client, published, address)
               for address in ("198.51.100.7", "203.0.113.7", "2001:db8:1:2::1")]
    assert answers[-1]["status"] == "held"


def test_a_signed_in_commenter_counts_once_from_anywhere_and_each_one_counts(app, client,
                                                                            published):
    secret = sso_secret(app)
    same = [_report(client, published, address, **signed(secret, sub="u-1"))
            for address in ("198.51.100.7", "203.0.113.7", "2001:db8:9::1")]
    assert [answer["counted"] for answer in same] == [True, False, False]
    others = [_report(client, published, "198.51.100.7", **signed(secret, sub=sub))
              for sub in ("u-2", "u-3")]
    assert others[-1]["status"] == "held"


def test_a_bad_token_on_a_report_is_401(client, published):
    response = client.post(f"/api/v1/comments/{published}/reports", json={"reason": "spam"},
                           headers={"Authorization": "Bearer not-a-jwt"})
    assert (response.status_code, response.json["error"]) == (401, "invalid_token")


def test_reporter_of_names_the_network_or_the_commenter():
    assert reporter_of("198.51.100.7", None, 1) == "network:198.51.100.0/24"
    assert reporter_of("::ffff:198.51.100.7", None, 1) == "network:198.51.100.0/24"
    assert reporter_of("2001:db8:1:2:3::4", None, 1) == "network:2001:db8:1:2::/64"
    assert reporter_of("198.51.100.7", "u-1", 2) == "commenter:2:u-1"
    assert reporter_of(None, None, 1) == "address:unknown"
