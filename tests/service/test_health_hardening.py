"""Readiness counts live workers only, and its detail needs OPS_TOKEN (issue 14.7, 14.11)."""

from __future__ import annotations

import json

from service.health import SCORER_KEY
from service.queueing import queue
from tests.support.work import drain
from workers.worker import ModerationWorker

OPS = {"Authorization": "Bearer ops-secret"}


def live_worker(app) -> ModerationWorker:
    connection = app.extensions["redis"]
    worker = ModerationWorker([queue("scoring", connection)], app=app, connection=connection)
    worker.register_birth()
    assert worker.load_model()
    return worker


def test_a_worker_that_stopped_is_not_ready(app, client):
    drain(app)  # a burst worker: it loaded the model, worked, and is gone
    assert client.get("/readyz").status_code == 503


def test_a_killed_workers_heartbeat_does_not_count(app, client, redis):
    worker = live_worker(app)
    assert client.get("/readyz").status_code == 200
    # Killed with SIGKILL: its keys linger, but its heartbeat stops.
    redis.hset(worker.key, "last_heartbeat", "2026-01-01T00:00:00.000000Z")
    assert client.get("/readyz").status_code == 503
    # A state left behind by a worker that RQ does not know at all.
    redis.set(SCORER_KEY.format(worker="ghost"), json.dumps(
        {"worker": "ghost", "host": "h", "pid": 1, "status": "ready", "model": "m"}), ex=3600)
    assert client.get("/readyz").status_code == 503


def test_readyz_names_hosts_and_pids_only_with_the_ops_token(settings, request):
    settings["OPS_TOKEN"] = "ops-secret"
    app = request.getfixturevalue("app")
    client = app.test_client()
    live_worker(app)
    public = client.get("/readyz")
    assert public.status_code == 200
    assert public.json["checks"]["model"]["workers"] == 1
    assert '"pid"' not in public.text and '"host"' not in public.text
    detailed = client.get("/readyz", headers=OPS).json["checks"]["model"]["workers"]
    assert detailed[0]["pid"] and detailed[0]["host"]


def test_metrics_need_the_ops_token_when_one_is_set(settings, request):
    settings["OPS_TOKEN"] = "ops-secret"
    client = request.getfixturevalue("app").test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    page = client.get("/metrics", headers=OPS).text
    assert "moderation_comments_received_total" in page and "python_info" in page


def test_metrics_without_a_token_show_no_process_details(client):
    page = client.get("/metrics").text
    assert "moderation_comments_received_total" in page
    assert "python_info" not in page and "process_" not in page
    assert client.get("/healthz").json == {"status": "ok"}
