"""`moderation web`'s access log: one line per request whatever the path holds, and no
commenter's sub (issue 26.3 and 26.6)."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time

from cli import redis_server
from service.accesslog import clean
from service.migrate import upgrade

PATHS = ["/forged%0A127.0.0.1%20-%20-%20%5B01/Jan/2026%5D%20%22GET%20/admin%22%20200",
         "/x%0D%0Ay", "/q%22uote", "/api/v1/moderation/sites/default/commenters/"
         "https%3A%2F%2Fidp.example%2Fusers%2F1/export",
         "/dashboard/sites/default/commenters/?sub=jane.doe%40example.org"]


def _get(port: int, path: str) -> None:
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path, headers={"Referer": "http://x/commenters/jane"})
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("moderation web did not answer")


def test_each_request_is_one_line_naming_no_commenter(tmp_path):
    url = f"sqlite:///{tmp_path / 'web.db'}"
    upgrade(url)
    port = redis_server.free_port()
    env = os.environ | {"DATABASE_URL": url, "MODERATION_INSTANCE_DIR": str(tmp_path),
                        "SECRET_KEY": "test"}
    log = tmp_path / "web.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "cli", "web", "--port", str(port),
                                    "--workers", "1", "--threads", "1"], env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
        try:
            for path in PATHS:
                _get(port, path)
            time.sleep(0.5)
        finally:
            process.terminate()
            process.wait(timeout=30)
    lines = [line for line in log.read_text().splitlines() if '"GET ' in line]
    assert len(lines) == len(PATHS), lines
    assert all(line.startswith("127.0.0.1 - - [") for line in lines), lines
    text = "\n".join(lines)
    assert "idp.example" not in text and "jane" not in text
    # The decoded path cannot tell the sub from what follows it: all of it goes.
    assert '"GET /api/v1/moderation/sites/default/commenters/- HTTP/1.1"' in text


def test_clean_escapes_controls_and_quotes_and_drops_subjects():
    assert clean('/a\nb"c\\') == '/a\\x0ab\\x22c\\x5c'
    assert clean("/x/commenters/u-1?sub=u-2&b=1") == "/x/commenters/-?sub=-&b=1"
