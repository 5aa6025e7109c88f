"""Per-client rate limits, counted in Redis by Flask-Limiter.

Clients are told apart by their IP address (``request.remote_addr``). Behind a
reverse proxy set ``TRUSTED_PROXIES`` so that the app factory's ``ProxyFix`` takes
the address from ``X-Forwarded-For``; otherwise that header is ignored, since any
client can write it.

There is one limiter per process, as Flask-Limiter is made: the app initialised last
sets its storage and whether limits apply (``RATELIMIT_ENABLED``).
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, Response, current_app
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import parse_many

from service.errors import error_response

log = logging.getLogger(__name__)

limiter = Limiter(get_remote_address, key_prefix="moderation", strategy="moving-window",
                  swallow_errors=True)
"""The app's limiter. ``swallow_errors``: when Redis is down, comments are still taken
(they wait in the database for the sweeper) rather than refused."""


def posting_limit() -> str:
    """The limit on posting comments, from ``RATE_LIMIT_POST`` (e.g. ``5/minute;30/hour``)."""
    return current_app.config["RATE_LIMIT_POST"]


def init_app(app: Flask) -> None:
    """Count requests in the app's Redis and answer a breach with a JSON 429."""
    for name in ("RATE_LIMIT_POST", "RATE_LIMIT_LOGIN", "RATE_LIMIT_LOGIN_SUBNET"):
        try:
            parse_many(app.config[name])
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from error
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS",
                          {"socket_connect_timeout": 2, "socket_timeout": 2})
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _too_many_requests)


def _too_many_requests(error: RateLimitExceeded) -> Response:
    if isinstance(error.response, Response):  # the limit's own answer (``on_breach``)
        return error.response
    breached = limiter.current_limit
    wait = max(1, math.ceil(breached.window.reset_time - time.time())) if breached else 60
    log.info("rate limit %s reached", error.description)
    unit = "second" if wait == 1 else "seconds"
    response = error_response(429, "rate_limited",
                              f"You're posting too fast; try again in {wait} {unit}.",
                              retry_after=wait)
    response.headers["Retry-After"] = str(wait)
    return response
