"""The OpenAPI fragment of the moderation API's reported comments and appeals."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from service.apidoc import (
    INVALID,
    NOT_JSON,
    UNAUTHORIZED,
    Paths,
    error,
    json_content,
    path_parameter,
    query_parameters,
    ref,
)
from service.moderation.readers import AppealDecision, AppealQuery

MODELS: tuple[type[BaseModel], ...] = (AppealDecision,)
"""Request bodies, described by their pydantic models."""

SCHEMAS: dict[str, dict[str, Any]] = {
    "ReportedComments": {
        "type": "object", "required": ["comments"],
        "properties": {"comments": {"type": "array", "items": {"allOf": [ref("Comment"), {
            "type": "object", "required": ["reasons", "reports"],
            "properties": {
                "reasons": {"type": "object", "additionalProperties": {"type": "integer"},
                            "description": "Active reports by reason."},
                "reports": {"type": "array", "items": {"type": "object"}},
            }}]}}},
    },
    "AppealInQueue": {"allOf": [ref("Appeal"), {
        "type": "object", "required": ["comment", "decision"],
        "properties": {"comment": ref("Comment"), "decision": ref("Decision")},
    }]},
    "AppealQueue": {
        "type": "object", "required": ["appeals"],
        "properties": {"appeals": {"type": "array", "items": ref("AppealInQueue")}},
    },
    "Dismissal": {
        "type": "object", "required": ["comment_id", "dismissed", "status"],
        "properties": {"comment_id": {"type": "string", "format": "uuid"},
                       "dismissed": {"type": "integer"}, "status": {"type": "string"}},
    },
}


SITE = {"name": "site", "in": "query", "required": False, "schema": {"type": "string"},
        "description": "Only this site's (its slug); without it, every site one reaches."}


NO_SITE = error("No site has that name, or it is out of reach.")


def paths() -> Paths:
    """Reported comments and appeals, for holders of a moderator's bearer token."""
    secured = {"security": [{"bearerAuth": []}], "tags": ["moderation"]}
    appeal = {"name": "appeal_id", "in": "path", "required": True,
              "schema": {"type": "string"}, "description": "The appeal's id."}
    return {
        "/api/v1/moderation/reported": {"get": secured | {
            "summary": "Comments with reports no moderator dismissed, most reported first.",
            "parameters": [SITE],
            "responses": {"200": json_content(ref("ReportedComments"), "The comments."),
                          "401": UNAUTHORIZED, "404": NO_SITE},
        }},
        "/api/v1/moderation/comments/{comment_id}/reports/dismissal": {"post": secured | {
            "summary": "Dismiss a comment's reports; it stays, or is again, published.",
            "parameters": [path_parameter("comment_id", "The comment's id.")],
            "responses": {"200": json_content(ref("Dismissal"), "Dismissed."),
                          "401": UNAUTHORIZED, "404": error("No comment has that id."),
                          "409": error("No reports to dismiss.")} | NOT_JSON,
        }},
        "/api/v1/moderation/appeals": {"get": secured | {
            "summary": "The appeals queue, oldest first.",
            "parameters": query_parameters(AppealQuery),
            "responses": {"200": json_content(ref("AppealQueue"), "The appeals."),
                          "401": UNAUTHORIZED, "404": NO_SITE, "422": INVALID},
        }},
        "/api/v1/moderation/appeals/{appeal_id}/decisions": {"post": secured | {
            "summary": "Uphold or overturn an appeal; overturning publishes the comment.",
            "parameters": [appeal],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref("AppealDecision")}}},
            "responses": {"201": json_content(ref("Appeal"), "The appeal, decided."),
                          "401": UNAUTHORIZED,
                          "403": error("You took the decision under appeal."),
                          "404": error("No appeal has that id."),
                          "409": error("The appeal is decided already."),
                          "422": INVALID} | NOT_JSON,
        }},
    }
