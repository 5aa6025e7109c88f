"""Liveness, readiness (database, Redis, a worker with the model) and metrics."""

from __future__ import annotations

from cli import redis_server
from service.app import create_app
from service.queueing import queue
from tests.support.work import drain
from workers.worker import ModerationWorker


def test_healthz_is_always_ok(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_waits_for_a_live_worker_with_the_model(settings, request):
    settings["OPS_TOKEN"] = "ops-secret"
    app = request.getfixturevalue("app")
    client = app.test_client()
    before = client.get("/readyz")
    assert before.status_code == 503
    assert before.json["checks"]["database"]["ok"] and before.json["checks"]["redis"]["ok"]
    assert "no scoring worker" in before.json["checks"]["model"]["error"]

    connection = app.extensions["redis"]
    worker = ModerationWorker([queue("scoring", connection)], app=app, connection=connection)
    worker.register_birth()  # a running worker that loaded the model reports it
    assert worker.load_model()
    after = client.get("/readyz", headers={"Authorization": "Bearer ops-secret"})

    assert after.status_code == 200, after.json
    [state] = after.json["checks"]["model"]["workers"]
    assert state["status"] == "ready" and state["model"].startswith("checkpoint@")
    worker.register_death()
    assert client.get("/readyz").status_code == 503


def test_readyz_reports_why_the_model_did_not_load(settings, app, client, tmp_path):
    broken = create_app(settings | {"MODERATION_MODEL": str(tmp_path / "gone.ckpt")})
    connection = broken.extensions["redis"]
    worker = ModerationWorker([queue("scoring", connection)], app=broken, connection=connection)

    assert worker.load_model() is False
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "MODERATION_MODEL" in response.json["checks"]["model"]["error"]


def test_readyz_reports_redis_down(settings):
    app = create_app(settings | {"REDIS_URL": f"redis://127.0.0.1:{redis_server.free_port()}/0"})

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json["checks"]["redis"]["ok"] is False


def test_metrics_count_comments_decisions_and_queue_depth(app, client):
    client.post("/api/v1/threads/t/comments", json={"author": "Ana", "body": "Hello"})
    page = client.get("/metrics").get_data(as_text=True)
    assert 'moderation_queue_depth{queue="scoring"} 1.0' in page

    drain(app)
    page = client.get("/metrics").get_data(as_text=True)

    for name in ("moderation_comments_received_total", "moderation_decisions_total",
                 "moderation_scoring_seconds_bucket", "moderation_time_to_decision_seconds_count"):
        assert name in page
    assert 'moderation_queue_depth{queue="scoring"} 0.0' in page
