"""The OpenAPI fragment of readers' reports, authors' appeals and the author's view."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from service.apidoc import INVALID, NOT_JSON, TIME, Paths, error, json_content, path_parameter, ref
from service.comments.openapi import AUTHOR_TOKEN
from service.comments.schemas import NewAppeal, NewReport

MODELS: tuple[type[BaseModel], ...] = (NewReport, NewAppeal)
"""Request bodies, described by their pydantic models."""

SCHEMAS: dict[str, dict[str, Any]] = {
    "PostedComment": {"allOf": [ref("Comment"), {
        "type": "object", "required": ["author_token"],
        "properties": {"author_token": {"type": "string", "description": (
            "Shows the author their comment (X-Author-Token); kept by the service only "
            "hashed. Keep it with the comment.")}},
    }]},
    "AuthorView": {"allOf": [ref("Comment"), {
        "type": "object", "required": ["author", "body", "outcome_text"],
        "properties": {
            "outcome_text": {"type": "string", "description": "What was decided, in words."},
            "automated": {"type": "boolean",
                          "description": "Whether automated means took the latest decision."},
            "decided_by": {"type": "string", "enum": ["automated means", "a moderator"],
                           "description": "The same, in words."},
            "reason": {"type": "object", "required": ["code", "text"],
                       "description": "Why it is held or not published, in plain words.",
                       "properties": {"code": {"type": "string"}, "text": {"type": "string"}}},
            "appeal": {"type": "object", "description": (
                "For a rejected (or appealed) comment: until when and how to appeal, and the "
                "appeal's status and outcome."),
                "properties": {"until": TIME, "open": {"type": "boolean"},
                               "how": {"type": "string"},
                               "status": {"type": ["string", "null"],
                                          "enum": ["open", "upheld", "overturned", None]},
                               "text": {"type": "string",
                                        "description": "What to tell the author now."},
                               "reason": {"type": "string"}}},
        },
    }]},
    "ReportAccepted": {
        "type": "object", "required": ["comment_id", "counted", "status"],
        "properties": {
            "comment_id": {"type": "string", "format": "uuid"},
            "counted": {"type": "boolean",
                        "description": "False when this client had reported it already."},
            "status": {"type": "string", "description": "held once enough readers reported it."},
        },
    },
    "Appeal": {
        "type": "object", "required": ["id", "comment_id", "decision_id", "message", "status"],
        "properties": {
            "id": {"type": "integer"}, "comment_id": {"type": "string", "format": "uuid"},
            "decision_id": {"type": "integer", "description": "The decision under appeal."},
            "message": {"type": "string"},
            "status": {"type": "string", "enum": ["open", "upheld", "overturned"]},
            "created_at": TIME, "decided_at": {"type": ["string", "null"]},
            "decided_by": {"type": ["string", "null"]}, "reason": {"type": "string"},
        },
    },
}


def paths() -> Paths:
    """Reports and appeals, for readers and authors."""
    comment = path_parameter("comment_id", "The comment's id.")
    return {
        "/api/v1/comments/{comment_id}/reports": {"post": {
            "tags": ["comments"], "summary": "Report a published comment.",
            "description": "One report per client counts; at the site's reports_to_hold "
                           "readers the comment goes back to the queue.",
            "parameters": [comment],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": ref("NewReport")}}},
            "responses": {"202": json_content(ref("ReportAccepted"), "Received."),
                          "404": error("No comment has that id."),
                          "409": error("The comment is not published."),
                          "422": INVALID,
                          "429": error("Too many requests from this client.")} | NOT_JSON,
        }},
        "/api/v1/comments/{comment_id}/appeals": {"post": {
            "tags": ["comments"], "summary": "Appeal the rejection of one's comment.",
            "parameters": [comment, AUTHOR_TOKEN],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": ref("NewAppeal")}}},
            "responses": {"202": json_content(ref("Appeal"), "The appeal, open."),
                          "401": error("No X-Author-Token."),
                          "403": error("X-Author-Token is not this comment's."),
                          "404": error("No comment has that id."),
                          "409": error("Not rejected, appealed already, or too late."),
                          "422": INVALID,
                          "429": error("Too many requests from this client.")} | NOT_JSON,
        }},
    }
