"""The OpenAPI 3.1 document of the service's HTTP APIs, at ``/openapi.json``.

Each domain contributes its paths through ``PATH_GROUPS``: a function returning
``{path: {method: operation}}``. Request bodies and query parameters come from the
pydantic models the views validate with, so that the document cannot drift from
them; responses are described here. To document another API, add a function and
an entry in ``PATH_GROUPS`` (and its schemas in ``SCHEMAS`` or ``MODELS``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from pydantic import BaseModel

from service.apidoc import NULLABLE_TIME, TIME, error, json_content, ref
from service.comments.schemas import NewComment
from service.moderation.schemas import BulkDecisionRequest, DecisionRequest, QueueQuery
from service.policy import LABELS
from service.webhooks import openapi as webhooks
from service.webhooks.schemas import EndpointChanges, NewEndpoint

bp = Blueprint("openapi", __name__)

Operation = dict[str, Any]
Paths = dict[str, dict[str, Operation]]

MODELS: tuple[type[BaseModel], ...] = (NewComment, DecisionRequest, BulkDecisionRequest,
                                       NewEndpoint, EndpointChanges)
"""Request bodies, described by their pydantic models."""





_SCORES = {"type": "object", "description": "Per-label scores in [0, 1].",
           "properties": {label: {"type": "number"} for label in LABELS},
           "additionalProperties": {"type": "number"}}
_STATUS = {"type": "string", "enum": ["pending", "approved", "held", "rejected"]}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object", "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "A stable code, e.g. invalid_input."},
            "message": {"type": "string", "description": "What is wrong, for people."},
            "fields": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "The problem of each field at fault."},
        },
    },
    "Comment": {
        "type": "object", "required": ["id", "thread_id", "status", "created_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "thread_id": {"type": "string"},
            "parent_id": {"type": ["string", "null"], "format": "uuid"},
            "status": _STATUS,
            "created_at": TIME,
            "decided_at": NULLABLE_TIME,
            "author": {"type": "string", "description": "Only once the comment is approved."},
            "body": {"type": "string", "description": "Only once the comment is approved."},
        },
    },
    "CommentPage": {
        "type": "object", "required": ["thread_id", "comments", "next_cursor"],
        "properties": {
            "thread_id": {"type": "string"},
            "comments": {"type": "array", "items": ref("Comment")},
            "next_cursor": {"type": ["string", "null"]},
        },
    },
    "Decision": {
        "type": "object",
        "required": ["id", "outcome", "actor", "reason", "scores", "model", "created_at"],
        "properties": {
            "id": {"type": "integer"},
            "comment_id": {"type": "string", "format": "uuid"},
            "outcome": {"type": "string", "enum": ["approved", "held", "rejected"]},
            "actor": {"type": "string",
                      "description": "\"model\" for the model, else the moderator's name."},
            "reason": {"type": "string"},
            "scores": {"oneOf": [_SCORES, {"type": "null"}],
                       "description": "The model's scores (at the time, for a moderator)."},
            "model": {"type": ["string", "null"]},
            "thresholds": {"type": ["object", "null"],
                           "description": "The policy in force, for the model's decision."},
            "created_at": TIME,
        },
    },
    "ModeratedComment": {
        "allOf": [ref("Comment"), {
            "type": "object", "required": ["author", "body", "scores", "flagged"],
            "properties": {
                "scores": _SCORES,
                "flagged": {"type": "object",
                            "additionalProperties": {"type": "string",
                                                     "enum": ["hold", "reject"]},
                            "description": "Labels whose score reached a threshold."},
                "parent": {"type": ["object", "null"],
                           "description": "The comment this one answers."},
                "decisions": {"type": "array", "items": ref("Decision"),
                              "description": "Oldest first (only on a single comment)."},
            },
        }],
    },
    "Queue": {
        "type": "object", "required": ["comments", "total", "next_cursor"],
        "properties": {
            "comments": {"type": "array", "items": ref("ModeratedComment")},
            "total": {"type": "integer", "description": "Comments matching the filters."},
            "next_cursor": {"type": ["string", "null"]},
        },
    },
    "BulkResult": {
        "type": "object", "required": ["decisions", "unchanged"],
        "properties": {
            "decisions": {"type": "array", "items": ref("Decision")},
            "unchanged": {"type": "array", "items": {"type": "string", "format": "uuid"},
                          "description": "Comments in that status already, left alone."},
        },
    },
}

_UNAUTHORIZED = error("No token, or an unknown or revoked one.")
_INVALID = error("The input is not valid; the message says why.")
_NOT_JSON = {"400": error("The body is not valid JSON."),
             "415": error("The body is not sent as application/json.")}


def _path_parameter(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string"}}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    parameters = []
    for name, prop in schema["properties"].items():
        prop = {key: value for key, value in prop.items() if key != "title"}
        description = prop.pop("description", None)
        parameter = {"name": name, "in": "query", "required": False, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def public_paths() -> Paths:
    """The API that readers' clients (the widget) use, and the health checks."""
    thread = _path_parameter("thread_id", "1 to 200 letters, digits, '-', '_' or '.'.")
    return {
        "/api/v1/threads/{thread_id}/comments": {
            "post": {
                "tags": ["comments"], "summary": "Post a comment; it is scored before it shows.",
                "parameters": [thread],
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": ref("NewComment")}}},
                "responses": {
                    "202": json_content(ref("Comment"), "Stored as pending; queued for scoring."),
                    "400": error("The body is not JSON."),
                    "404": error("The thread id is not valid."),
                    "409": error("The same comment was posted just before."),
                    "415": error("The body is not sent as application/json."),
                    "422": _INVALID,
                    "429": error("Too many comments from this client; see Retry-After."),
                },
            },
            "get": {
                "tags": ["comments"], "summary": "The thread's published comments, oldest first.",
                "parameters": [thread,
                               {"name": "limit", "in": "query",
                                "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                               {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": json_content(ref("CommentPage"), "A page of comments."),
                              "400": error("A bad limit or cursor."),
                              "404": error("The thread id is not valid.")},
            },
        },
        "/api/v1/comments/{comment_id}": {
            "get": {
                "tags": ["comments"], "summary": "A comment's status; its text once published.",
                "parameters": [_path_parameter("comment_id", "The comment's id.")],
                "responses": {"200": json_content(ref("Comment"), "The comment."),
                              "404": error("No comment has that id.")},
            },
        },
        "/healthz": {"get": {"tags": ["health"], "summary": "Liveness.",
                             "responses": {"200": {"description": "The process answers."}}}},
        "/readyz": {"get": {"tags": ["health"],
                            "summary": "Readiness: the database, Redis and a loaded model.",
                            "responses": {"200": {"description": "Ready."},
                                          "503": {"description": "Not ready; says why."}}}},
    }


def moderation_paths() -> Paths:
    """The moderation API, for holders of a moderator's bearer token."""
    comment = _path_parameter("comment_id", "The comment's id.")
    secured = {"security": [{"bearerAuth": []}], "tags": ["moderation"]}
    return {
        "/api/v1/moderation/queue": {"get": secured | {
            "summary": "The review queue: held comments (or another status), filtered.",
            "parameters": _query_parameters(QueueQuery),
            "responses": {"200": json_content(ref("Queue"), "A page of the queue."),
                          "400": error("A cursor this API did not give out."),
                          "401": _UNAUTHORIZED, "422": _INVALID},
        }},
        "/api/v1/moderation/comments/{comment_id}": {"get": secured | {
            "summary": "A comment in full, with every decision on it, oldest first.",
            "parameters": [comment],
            "responses": {"200": json_content(ref("ModeratedComment"), "The comment."),
                          "401": _UNAUTHORIZED, "404": error("No comment has that id.")},
        }},
        "/api/v1/moderation/comments/{comment_id}/decisions": {"post": secured | {
            "summary": "Approve or reject a comment, or reverse an earlier decision.",
            "parameters": [comment],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref("DecisionRequest")}}},
            "responses": {"201": json_content(ref("Decision"), "The decision taken."),
                          "401": _UNAUTHORIZED, "404": error("No comment has that id."),
                          "409": error("The comment has that status already."),
                          "422": _INVALID} | _NOT_JSON,
        }},
        "/api/v1/moderation/decisions": {"post": secured | {
            "summary": "One decision on many comments.",
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref("BulkDecisionRequest")}}},
            "responses": {"200": json_content(ref("BulkResult"), "The decisions taken."),
                          "401": _UNAUTHORIZED, "422": _INVALID} | _NOT_JSON,
        }},
    }


PATH_GROUPS: dict[str, Callable[[], Paths]] = {
    "public": public_paths,
    "moderation": moderation_paths,
    "webhooks": webhooks.webhook_paths,
}


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    schemas = copy.deepcopy(SCHEMAS | webhooks.SCHEMAS)
    for model in MODELS:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    paths: Paths = {}
    for group in PATH_GROUPS.values():
        paths.update(group())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Comment moderation",
            "version": "1",
            "description": "Comments in, scored by a model, published, held for people or "
                           "rejected. Errors are JSON: {\"error\": code, \"message\": why}.",
        },
        "paths": paths,
        "webhooks": webhooks.CALLBACKS,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A token from `moderation tokens create NAME` or the "
                               "dashboard's API tokens page."}},
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document (built once per process)."""
    if "openapi" not in current_app.extensions:
        current_app.extensions["openapi"] = document()
    return jsonify(current_app.extensions["openapi"])
