"""Liveness, readiness and metrics."""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Iterator
from typing import Any, Literal, cast

from flask import Blueprint, Response, current_app, request
from prometheus_client.core import GaugeMetricFamily
from pydantic import Field
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from service import db, metrics
from service.apidoc import Reply, Tag
from service.comments.models import Comment, Status
from service.errors import error_response
from service.queueing import QUEUES, live_worker, redis

bp = Blueprint("health", __name__)
doc = Tag("health")


class Liveness(Reply):
    """The process answers."""

    status: Literal["ok"]


class Check(Reply):
    """One check of readiness."""

    ok: bool
    error: str | None = Field(default=None, description="Why not.")
    workers: int | list[dict[str, Any]] = Field(default=0, description=(
        "The model check's live scoring workers: how many, or (with OPS_TOKEN) which."))


class Readiness(Reply):
    """Ready, or not ready and why: the database, Redis and a live worker with the model."""

    status: Literal["ready", "unavailable"]
    checks: dict[str, Check]
    took_ms: float

SCORER_KEY = "moderation:scorer:{worker}"
"""Each scoring worker keeps a heartbeat here, with its model's state, under a TTL."""
SCORER_TTL_SECONDS = 90


def scorer_states(connection: Redis) -> list[dict]:
    """The model states that scoring workers report, live or not (see ``live_worker``)."""
    keys = list(connection.scan_iter(SCORER_KEY.format(worker="*"), count=100))
    if not keys:
        return []
    # cast: redis types every command of its sync client as maybe awaitable.
    values = cast("list[bytes | None]", connection.mget(keys))
    return [json.loads(raw) for raw in values if raw]


@bp.get("/healthz")
@doc(Liveness)
def healthz() -> Liveness:
    """Liveness: the process answers."""
    return Liveness(status="ok")


@bp.get("/readyz")
@doc(Readiness, more={503: Readiness})
def readyz() -> tuple[dict[str, Any], int]:
    """Ready when the database and Redis answer and a live worker has the model loaded.

    Which workers (names, hosts, process ids) only with ``OPS_TOKEN``; else how many.
    """
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
        live = [state for state in states
                if live_worker(redis(), state.get("worker"), SCORER_TTL_SECONDS)]
        checks["redis"] = {"ok": True}
        loaded = [state for state in live if state.get("status") == "ready"]
        checks["model"] = {"ok": bool(loaded), "workers": live if _detail() else len(live)}
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
    return body, 200 if ready else 503


@bp.get("/metrics")
def prometheus() -> Response:
    """The service's metrics; the process's own (versions, memory) with ``OPS_TOKEN`` only.

    When ``OPS_TOKEN`` is set, the page needs it.
    """
    if current_app.config["OPS_TOKEN"] and not _detail():
        return error_response(401, "missing_token", "Send the OPS_TOKEN in the header "
                              "Authorization: Bearer <token>.")
    payload, content_type = metrics.exposition(redis(), QUEUES, detail=_detail(),
                                               extra=[WaitingCollector()])
    return Response(payload, content_type=content_type)


class WaitingCollector:
    """Reads, at scrape time, how long the oldest pending and held comments have waited,
    and how many live scoring workers have the model loaded."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = db.utcnow()
        for status in (Status.PENDING, Status.HELD):
            gauge = GaugeMetricFamily(f"moderation_oldest_{status}_age_seconds",
                                      f"How long the oldest {status} comment has waited (0: none).")
            try:
                oldest = db.session().scalar(select(func.min(Comment.created_at))
                                             .where(Comment.status == status))
            except SQLAlchemyError:
                continue
            gauge.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
            yield gauge
        try:
            ready = [state for state in scorer_states(redis()) if state.get("status") == "ready"
                     and live_worker(redis(), state.get("worker"), SCORER_TTL_SECONDS)]
        except RedisError:
            return
        workers = GaugeMetricFamily("moderation_scoring_workers_ready",
                                    "Live scoring workers with the model loaded.")
        workers.add_metric([], len(ready))
        yield workers


def _detail() -> bool:
    """Whether the request carries ``OPS_TOKEN``: it may see host names and process ids."""
    token = current_app.config["OPS_TOKEN"]
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode())
