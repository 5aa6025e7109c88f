"""URLs are parsed as the HTTP client parses them, and refused at registration (issue 14.6)."""

from __future__ import annotations

import pytest

from service.webhooks.urls import UnsafeURL, check_url

TRICKS = [
    "http://127.0.0.1:8092\\@8.8.8.8/",  # urlsplit: host 8.8.8.8; urllib3: 127.0.0.1
    "http://127.0.0.1:8092\\\\@8.8.8.8/",
    "http://[fec0::1]/",  # IPv6 site-local, which Python 3.11 calls global
    "http://[fec0::1]:8080/hooks",
    "http://8.8.8.8@127.0.0.1/",
    "http://user:pass@8.8.8.8/",
    "http://8.8.8.8 @127.0.0.1/",
    "http://127.0.0.1\t.8.8.8.8/",
]


@pytest.mark.parametrize("url", TRICKS)
def test_urls_that_parsers_read_differently_are_refused(url):
    with pytest.raises(UnsafeURL):
        check_url(url, allow_private=False)


@pytest.fixture
def settings(settings: dict) -> dict:
    return settings | {"WEBHOOK_ALLOW_PRIVATE_URLS": False, "RATELIMIT_ENABLED": False}


@pytest.mark.parametrize("url", TRICKS[:4])
def test_registration_refuses_them_with_422(app, client, admin, url):
    response = client.post("/api/v1/webhooks", headers=admin,
                           json={"url": url, "events": ["comment.held"]})
    assert response.status_code == 422, response.json
    assert response.json["fields"]["url"]
