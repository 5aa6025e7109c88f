"""Liveness, readiness and metrics."""

from __future__ import annotations

import json
import time
from typing import cast

from flask import Blueprint, Response, jsonify
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from service import db, metrics
from service.queueing import QUEUES, redis

bp = Blueprint("health", __name__)

SCORER_KEY = "moderation:scorer:{worker}"
"""Each scoring worker keeps a heartbeat here, with its model's state, under a TTL."""
SCORER_TTL_SECONDS = 90


def scorer_states(connection: Redis) -> list[dict]:
    """The model states that live scoring workers report."""
    keys = list(connection.scan_iter(SCORER_KEY.format(worker="*"), count=100))
    if not keys:
        return []
    # cast: redis types every command of its sync client as maybe awaitable.
    values = cast("list[bytes | None]", connection.mget(keys))
    return [json.loads(raw) for raw in values if raw]


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Ready when the database and Redis answer and a worker has the model loaded."""
    checks: dict[str, dict] = {}
    started = time.perf_counter()
    try:
        db.session().execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
    except SQLAlchemyError as error:
        checks["database"] = {"ok": False, "error": error.__class__.__name__}
    try:
        redis().ping()
        states = scorer_states(redis())
        checks["redis"] = {"ok": True}
        loaded = [state for state in states if state.get("status") == "ready"]
        checks["model"] = {"ok": bool(loaded), "workers": states}
        if not loaded:
            checks["model"]["error"] = (
                next((state["error"] for state in states if state.get("error")), None)
                or "no scoring worker is running; start one with `moderation worker`"
            )
    except RedisError as error:
        checks["redis"] = {"ok": False, "error": error.__class__.__name__}
        checks["model"] = {"ok": False, "error": "unknown while Redis is unavailable"}
    ready = all(check["ok"] for check in checks.values())
    body = {"status": "ready" if ready else "unavailable", "checks": checks,
            "took_ms": round((time.perf_counter() - started) * 1000, 1)}
    return jsonify(body), 200 if ready else 503


@bp.get("/metrics")
def prometheus() -> Response:
    payload, content_type = metrics.exposition(redis(), QUEUES)
    return Response(payload, content_type=content_type)
