"""`moderation web` trusts forwarded headers only as TRUSTED_PROXIES says (issue 14.5)."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time

import pytest

from cli import redis_server
from service.migrate import upgrade


def cookie_after(port: int, headers: dict[str, str]) -> str:
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/dashboard/login", headers=headers)
            response = connection.getresponse()
            response.read()
            return response.getheader("Set-Cookie") or ""
        except OSError:
            time.sleep(0.2)
    raise AssertionError("moderation web did not answer")


@pytest.mark.parametrize(("proxies", "secure"), [("0", False), ("1", True)])
def test_x_forwarded_proto_makes_cookies_secure_only_behind_a_trusted_proxy(tmp_path, proxies,
                                                                           secure):
    url = f"sqlite:///{tmp_path / 'web.db'}"
    upgrade(url)
    port = redis_server.free_port()
    env = os.environ | {"DATABASE_URL": url, "MODERATION_INSTANCE_DIR": str(tmp_path),
                        "TRUSTED_PROXIES": proxies, "SECRET_KEY": "test",
                        "FORWARDED_ALLOW_IPS": "*"}  # not even gunicorn's variable counts
    process = subprocess.Popen([sys.executable, "-m", "cli", "web", "--port", str(port),
                                "--workers", "1", "--threads", "1"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        cookie = cookie_after(port, {"X-Forwarded-Proto": "https", "X-Forwarded-For": "1.2.3.4"})
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert cookie.startswith("session=")
    assert ("Secure" in cookie) is secure, cookie
