"""`moderation up` stops at once on Ctrl-C, open keep-alive connections or not, and says
what it stopped (issue 14.10)."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time

import pytest

from cli import redis_server


@pytest.mark.timeout(180)
def test_ctrl_c_stops_everything_at_once_and_says_what(tmp_path, redis_url, tiny_model):
    port = redis_server.free_port()
    env = os.environ | tiny_model | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'up.db'}", "REDIS_URL": redis_url,
        "MODERATION_INSTANCE_DIR": str(tmp_path), "TORCH_THREADS": "1", "SECRET_KEY": "t"}
    up = subprocess.Popen([sys.executable, "-m", "cli", "up", "--port", str(port)], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        connection = None
        for _ in range(300):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz", headers={"Connection": "keep-alive"})
                assert connection.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("the web process did not answer")
        # The connection stays open (keep-alive) while Ctrl-C arrives.
        started = time.monotonic()
        up.send_signal(signal.SIGINT)
        output, _ = up.communicate(timeout=60)
        took = time.monotonic() - started
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
    assert took < 12, f"took {took:.1f} s to stop"
    for name in ("web", "worker", "sweeper"):
        assert f"stopped {name} (pid " in output, output[-2000:]
    assert output.rstrip().endswith("stopped")
