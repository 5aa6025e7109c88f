"""Errors as JSON with a message that says what is wrong."""

from __future__ import annotations

import logging

from flask import Flask, Response, abort, jsonify, request
from pydantic import ValidationError
from redis.exceptions import RedisError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from service.textcheck import check_tree, problem

log = logging.getLogger(__name__)


class APIError(Exception):
    """An error answered with ``status`` and a JSON body ``{"error", "message"}``."""

    def __init__(self, status: int, code: str, message: str, **extra: object) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


MAX_JSON_DEPTH = 32
"""The deepest nesting of arrays and objects that a request body may have."""
MAX_WHOLE_NUMBER = 2**63 - 1
"""No whole number in a query is larger: the databases' biggest integer."""
MAX_FORM_VALUE = 65_536


def json_depth(raw: bytes) -> int:
    """How deeply ``raw``'s arrays and objects nest (strings skipped), without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def json_object() -> dict:
    """The request's JSON object body.

    Raises:
        APIError: 415 when the body is not declared JSON, 400 when it does not parse or
            nests deeper than ``MAX_JSON_DEPTH``, 422 when it is not an object or a
            string in it could not be stored (``service.textcheck``), naming the field.
    """
    if not request.is_json:
        raise APIError(415, "unsupported_media_type",
                       "Send JSON with Content-Type: application/json.")
    if json_depth(request.get_data(cache=True)) > MAX_JSON_DEPTH:
        raise APIError(400, "invalid_json", f"The request body nests arrays or objects "
                       f"deeper than {MAX_JSON_DEPTH} levels.")
    payload = request.get_json(silent=True)
    if payload is None:
        raise APIError(400, "invalid_json", "The request body is not valid JSON.")
    if not isinstance(payload, dict):
        raise APIError(422, "invalid_input", "The request body must be a JSON object.")
    try:  # no NUL, control character or lone surrogate in any field (service.textcheck)
        check_tree(payload)
    except ValueError as error:
        field, _, problem = str(error).partition(": ")
        raise APIError(422, "invalid_input", str(error), fields={field: problem}) from None
    return payload


def whole_number(name: str, raw: str, low: int = 0, high: int = MAX_WHOLE_NUMBER) -> int:
    """``raw`` (a query parameter called ``name``) as a whole number from ``low`` to ``high``.

    Only ASCII digits count: ``str.isdigit`` also takes "²" and "①", which ``int`` refuses.

    Raises:
        APIError: 400 naming the parameter and the numbers allowed.
    """
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19 and low <= int(raw) <= high):
        raise APIError(400, f"invalid_{name}", f"{name} must be a whole number from {low} "
                       f"to {high}.")
    return int(raw)


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


def check_parameters() -> None:
    """Refuse a request whose form fields or (on the dashboard) query parameters hold text
    that could not be stored (``service.textcheck``), naming the field, before any view
    reads them: 422 for a form field, 400 for a query parameter (as for any bad query
    value). JSON bodies are checked where they are read (``json_object``); the API's
    query parameters by its views, which compare them with what they may be (slugs, ids,
    cursors) and answer as the OpenAPI document says."""
    api = request.path.startswith("/api/")
    checks = [] if api else [("query parameter", request.args, 400)]
    if request.method not in {"GET", "HEAD"}:
        checks.append(("form field", request.form, 422))
    for kind, values, status in checks:
        for name, value in values.items(multi=True):
            found = problem(name, max_length=200) or problem(
                value, max_length=MAX_FORM_VALUE, multiline=kind == "form field")
            if not found:
                continue
            field = f"{kind} {name[:40]!r}"
            if api:
                raise APIError(status, "invalid_input", f"{field}: {found}",
                               fields={name[:40]: found})
            abort(status, f"{field}: {found}")


def init_app(app: Flask) -> None:
    app.before_request(check_parameters)

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

    @app.errorhandler(RecursionError)
    def _too_deep(_error: RecursionError) -> Response:
        return error_response(400, "too_deep", "The request nests too deeply to be read.")

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
