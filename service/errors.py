"""Errors as JSON with a message that says what is wrong."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from pydantic import ValidationError
from redis.exceptions import RedisError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class APIError(Exception):
    """An error answered with ``status`` and a JSON body ``{"error", "message"}``."""

    def __init__(self, status: int, code: str, message: str, **extra: object) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def json_object() -> dict:
    """The request's JSON object body.

    Raises:
        APIError: 415 when the body is not declared JSON, 400 when it does not parse,
            422 when it is not an object.
    """
    if not request.is_json:
        raise APIError(415, "unsupported_media_type",
                       "Send JSON with Content-Type: application/json.")
    payload = request.get_json(silent=True)
    if payload is None:
        raise APIError(400, "invalid_json", "The request body is not valid JSON.")
    if not isinstance(payload, dict):
        raise APIError(422, "invalid_input", "The request body must be a JSON object.")
    return payload


def error_response(status: int, code: str, message: str, **extra: object) -> Response:
    response = jsonify({"error": code, "message": message, **extra})
    response.status_code = status
    return response


def validation_message(error: ValidationError) -> tuple[str, dict[str, str]]:
    """One readable sentence and a field -> problem map from a pydantic error."""
    fields: dict[str, str] = {}
    for item in error.errors(include_url=False):
        field = ".".join(str(part) for part in item["loc"]) or "body"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "is not a known field"
        elif item["type"] == "missing":
            message = "is required"
        fields.setdefault(field, message)
    return "; ".join(f"{field}: {message}" for field, message in fields.items()), fields


def _wants_json() -> bool:
    return request.path.startswith("/api/") or not request.accept_mimetypes.accept_html


def init_app(app: Flask) -> None:
    @app.errorhandler(APIError)
    def _api_error(error: APIError) -> Response:
        return error_response(error.status, error.code, error.message, **error.extra)

    @app.errorhandler(ValidationError)
    def _validation_error(error: ValidationError) -> Response:
        message, fields = validation_message(error)
        return error_response(422, "invalid_input", message, fields=fields)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response | HTTPException:
        if not _wants_json():
            return error
        code = (error.name or "error").lower().replace(" ", "_")
        response = error_response(error.code or 500, code, error.description or error.name)
        for header in ("Retry-After", "Allow"):
            if error.get_response().headers.get(header):
                response.headers[header] = error.get_response().headers[header]
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_down(error: Exception) -> Response:
        log.error("database unavailable: %s", error.__class__.__name__)
        response = error_response(503, "database_unavailable",
                                  "The database is unavailable; nothing was stored. Try again.")
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(RedisError)
    def _redis_down(error: RedisError) -> Response:
        log.error("redis unavailable: %s", error.__class__.__name__)
        response = error_response(503, "queue_unavailable", "The queue is unavailable. Try again.")
        response.headers["Retry-After"] = "5"
        return response
