"""The commenters' moderation API's part of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from service.apidoc import (
    INVALID,
    NOT_JSON,
    NULLABLE_TIME,
    TIME,
    UNAUTHORIZED,
    Paths,
    error,
    json_content,
    path_parameter,
    ref,
)
from service.commenters.schemas import StandingChange

MODELS: tuple[type[BaseModel], ...] = (StandingChange,)

SCHEMAS: dict[str, dict[str, Any]] = {
    "Commenter": {
        "type": "object", "required": ["sub", "name", "status", "note"],
        "properties": {
            "sub": {"type": "string", "description": "The publisher's user id."},
            "name": {"type": "string"},
            "status": {"type": "string",
                       "enum": ["normal", "premoderated", "trusted", "banned"]},
            "note": {"type": "string"},
            "created_at": TIME, "updated_at": TIME, "updated_by": {"type": "string"},
            "erased_at": NULLABLE_TIME,
            "site": {"type": "string"},
        },
    },
    "CommenterProfile": {"allOf": [ref("Commenter"), {
        "type": "object", "required": ["counts", "comments", "notes"],
        "properties": {
            "counts": {"type": "object", "additionalProperties": {"type": "integer"},
                       "description": "comments, per status, reports and decisions."},
            "comments": {"type": "array", "description": (
                "Their comments, newest first, each with its thread, decisions and reports."),
                "items": {"type": "object"}},
            "notes": {"type": "array", "items": {"type": "object"},
                      "description": "Moderators' changes of their standing, with notes."},
        },
    }]},
}

NOT_FOUND = error("No site of yours has that slug, or no commenter of it that sub.")


def paths() -> Paths:
    """A site's commenters, for its moderators (export and erasure: admins)."""
    site = path_parameter("site", "The site's slug.")
    sub = path_parameter("sub", "The commenter's sub (the publisher's user id).")
    secured = {"security": [{"bearerAuth": []}], "tags": ["commenters"]}
    base = "/api/v1/moderation/sites/{site}/commenters/{sub}"
    return {
        base: {
            "get": secured | {
                "summary": "A commenter's standing, counts and history.",
                "parameters": [site, sub],
                "responses": {"200": json_content(ref("CommenterProfile"), "The commenter."),
                              "401": UNAUTHORIZED, "404": NOT_FOUND},
            },
            "patch": secured | {
                "summary": "Set a commenter's status and note (audited).",
                "parameters": [site, sub],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref("StandingChange")}}},
                "responses": {"200": json_content(ref("Commenter"), "The commenter."),
                              "401": UNAUTHORIZED, "404": NOT_FOUND,
                              "422": INVALID} | NOT_JSON,
            },
            "delete": secured | {
                "summary": "GDPR erasure: their comments' text and their name (admins).",
                "parameters": [site, sub],
                "responses": {"200": json_content({"type": "object"}, "What was erased."),
                              "401": UNAUTHORIZED, "403": error("Not an admin's token."),
                              "404": NOT_FOUND},
            },
        },
        base + "/export": {"get": secured | {
            "summary": "GDPR export: the commenter, their comments and decisions (admins).",
            "parameters": [site, sub],
            "responses": {"200": json_content(ref("CommenterProfile"), "Everything kept."),
                          "401": UNAUTHORIZED, "403": error("Not an admin's token."),
                          "404": NOT_FOUND},
        }},
    }
