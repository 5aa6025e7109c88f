"""The threads' moderation API's part of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from service.apidoc import (
    INVALID,
    NOT_JSON,
    NULLABLE_TIME,
    UNAUTHORIZED,
    Paths,
    error,
    json_content,
    path_parameter,
    ref,
)
from service.threads.schemas import ThreadChange

MODELS: tuple[type[BaseModel], ...] = (ThreadChange,)

SCHEMAS: dict[str, dict[str, Any]] = {
    "Thread": {
        "type": "object", "required": ["id", "title", "url", "closed", "premoderation"],
        "properties": {
            "id": {"type": "string", "description": "The thread id of the public URLs."},
            "title": {"type": ["string", "null"]},
            "url": {"type": ["string", "null"]},
            "closed": {"type": "boolean", "description": "Refuses new comments."},
            "premoderation": {"type": "boolean", "description": "Holds every comment."},
            "created_at": NULLABLE_TIME,
            "site": {"type": "string"},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"},
                       "description": "The thread's comments per status."},
        },
    },
}

SITE = path_parameter("site", "The site's slug.")
NO_SITE = error("No site of yours has that slug, or the thread id is malformed.")


def paths() -> Paths:
    """A site's threads, for its moderators."""
    thread = path_parameter("thread_id", "The thread id (as in the public URLs).")
    secured = {"security": [{"bearerAuth": []}], "tags": ["threads"]}
    return {"/api/v1/moderation/sites/{site}/threads": {"get": secured | {
        "summary": "The site's threads with comments, the most held first (at most 100).",
        "parameters": [SITE],
        "responses": {"200": json_content({
            "type": "object", "required": ["site", "threads"],
            "properties": {"site": {"type": "string"},
                           "threads": {"type": "array", "items": ref("Thread")}}},
            "The threads."), "401": UNAUTHORIZED, "404": NO_SITE},
    }}, "/api/v1/moderation/sites/{site}/threads/{thread_id}": {
        "get": secured | {
            "summary": "A thread: headline, link, rules and its comments per status.",
            "parameters": [SITE, thread],
            "responses": {"200": json_content(ref("Thread"), "The thread (defaults when it "
                                              "has no comment yet)."),
                          "401": UNAUTHORIZED, "404": NO_SITE},
        },
        "patch": secured | {
            "summary": "Change a thread's headline, link, closed or pre-moderation (audited).",
            "parameters": [SITE, thread],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref("ThreadChange")}}},
            "responses": {"200": json_content(ref("Thread"), "The thread as changed."),
                          "401": UNAUTHORIZED, "404": NO_SITE, "422": INVALID} | NOT_JSON,
        },
    }}
