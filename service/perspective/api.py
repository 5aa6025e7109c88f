"""The Perspective-compatible API at ``/v1alpha1``: what Coral Talk and others call.

Errors are answered in Google's shape, ``{"error": {"code", "message", "status"}}``,
with the statuses Perspective uses.
"""

from __future__ import annotations

import json
import logging
from typing import TypeVar

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import BaseModel, ValidationError
from redis.exceptions import RedisError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from service import db
from service.errors import MAX_JSON_DEPTH, json_depth
from service.perspective import services
from service.perspective.models import PerspectiveKey
from service.perspective.schemas import AnalyzeRequest, SuggestScoreRequest
from service.perspective.services import PerspectiveError, invalid, unavailable
from service.queueing import redis

log = logging.getLogger(__name__)

Model = TypeVar("Model", bound=BaseModel)

bp = Blueprint("perspective", __name__, url_prefix="/v1alpha1")

STATUSES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
            404: "NOT_FOUND", 409: "ABORTED", 429: "RESOURCE_EXHAUSTED",
            500: "INTERNAL", 503: "UNAVAILABLE"}


@bp.post("/comments:analyze")
def analyze() -> Response:
    """Score a comment for the requested attributes (Perspective's ``comments:analyze``)."""
    key = _key()
    body = _body(AnalyzeRequest)
    timeout = current_app.config["PERSPECTIVE_TIMEOUT_SECONDS"]
    return jsonify(services.analyze(db.session(), redis(), key, body, timeout))


@bp.post("/comments:suggestscore")
def suggest_score() -> Response:
    """Store a moderator's verdict on a comment as a label (``comments:suggestscore``)."""
    key = _key()
    body = _body(SuggestScoreRequest)
    return jsonify(services.suggest_score(db.session(), key, body))


def _key() -> PerspectiveKey:
    """The request's key (``?key=`` or ``X-Goog-Api-Key``), checked and counted."""
    secret = request.args.get("key") or request.headers.get("X-Goog-Api-Key")
    key = services.authenticate(db.session(), secret)
    if "perspective_quota" not in current_app.extensions:
        current_app.extensions["perspective_quota"] = services.quota_limiter(redis())
    services.check_quota(current_app.extensions["perspective_quota"], key)
    return key


def _body(model: type[Model]) -> Model:
    """The JSON body, parsed whatever its declared type, as Perspective does."""
    raw = request.get_data(cache=False) or b"null"
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise invalid(f"Invalid JSON payload received: it nests deeper than {MAX_JSON_DEPTH} "
                      "levels.")
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        raise invalid("Invalid JSON payload received.") from None
    if not isinstance(payload, dict):
        raise invalid("Invalid JSON payload received: the body must be a JSON object.")
    return model.model_validate(payload)


def google_error(code: int, message: str, status: str | None = None) -> Response:
    """A response in Google's error shape."""
    response = jsonify({"error": {"code": code, "message": message,
                                  "status": status or STATUSES.get(code, "INVALID_ARGUMENT")}})
    response.status_code = code
    return response


@bp.errorhandler(PerspectiveError)
def _perspective_error(error: PerspectiveError) -> Response:
    response = google_error(error.code, error.message, error.status)
    if error.code == 429:
        response.headers["Retry-After"] = "1"
    return response


@bp.errorhandler(ValidationError)
def _validation_error(error: ValidationError) -> Response:
    problems: list[str] = []
    for item in error.errors(include_url=False):
        field = ".".join(str(part) for part in item["loc"])
        problem = item["msg"].removeprefix("Value error, ")
        problems.append(problem if item["type"] == "value_error" else f"{field}: {problem}")
    return google_error(400, "Invalid argument: " + "; ".join(problems[:5]))


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    code = 400 if error.code == 422 else error.code or 500  # Google says 400 for bad input
    return google_error(code, error.description or error.name)


@bp.errorhandler(RecursionError)
def _too_deep(_error: RecursionError) -> Response:
    return google_error(400, "Invalid JSON payload received: it nests too deeply.")


@bp.errorhandler(RedisError)
@bp.errorhandler(OperationalError)
@bp.errorhandler(InterfaceError)
def _unavailable(error: Exception) -> Response:
    log.error("perspective request failed: %s unavailable", error.__class__.__name__)
    failure = unavailable("The service is unavailable; try again.")
    response = google_error(failure.code, failure.message, failure.status)
    response.headers["Retry-After"] = "1"
    return response

