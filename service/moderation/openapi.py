"""The moderation API's part of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from service.apidoc import (
    INVALID,
    NOT_JSON,
    SCORES,
    UNAUTHORIZED,
    Paths,
    error,
    json_content,
    path_parameter,
    query_parameters,
    ref,
)
from service.moderation.schemas import BulkDecisionRequest, DecisionRequest, QueueQuery

MODELS: tuple[type[BaseModel], ...] = (DecisionRequest, BulkDecisionRequest)
"""Request bodies, described by their pydantic models."""

SCHEMAS: dict[str, dict[str, Any]] = {
    "ModeratedComment": {
        "allOf": [ref("Comment"), {
            "type": "object", "required": ["author", "body", "scores", "flagged"],
            "properties": {
                "scores": SCORES,
                "flagged": {"type": "object",
                            "additionalProperties": {"type": "string",
                                                     "enum": ["hold", "reject"]},
                            "description": "Labels whose score reached a threshold."},
                "parent": {"type": ["object", "null"],
                           "description": "The comment this one answers."},
                "thread": {"type": "object", "description": (
                    "The comment's thread: id, title and url (null until known), closed, "
                    "and its comments' counts per status.")},
                "commenter": {"type": ["string", "null"], "description": (
                    "The signed-in commenter's sub (their page: "
                    "/api/v1/moderation/sites/{site}/commenters/{sub}); null: anonymous.")},
                "decisions": {"type": "array", "items": ref("Decision"),
                              "description": "Oldest first (only on a single comment)."},
                "explanation": {
                    "type": "array", "description": (
                        "Only on a single comment: the character spans of the body that "
                        "drove the model's toxicity score of a comment it held, strongest "
                        "first; empty otherwise."),
                    "items": {"type": "object", "required": ["start", "end", "weight"],
                              "properties": {"start": {"type": "integer"},
                                             "end": {"type": "integer"},
                                             "weight": {"type": "number"}}}},
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


def paths() -> Paths:
    """The moderation API, for holders of a moderator's bearer token."""
    comment = path_parameter("comment_id", "The comment's id.")
    secured = {"security": [{"bearerAuth": []}], "tags": ["moderation"]}
    return {
        "/api/v1/moderation/queue": {"get": secured | {
            "summary": "The review queue: held comments (or another status), filtered.",
            "parameters": query_parameters(QueueQuery),
            "responses": {"200": json_content(ref("Queue"), "A page of the queue."),
                          "400": error("A cursor this API did not give out."),
                          "401": UNAUTHORIZED,
                          "404": error("No site has that name, or it is out of reach."),
                          "422": INVALID},
        }},
        "/api/v1/moderation/comments/{comment_id}": {"get": secured | {
            "summary": "A comment in full, with every decision on it, oldest first.",
            "parameters": [comment],
            "responses": {"200": json_content(ref("ModeratedComment"), "The comment."),
                          "401": UNAUTHORIZED, "404": error("No comment has that id.")},
        }},
        "/api/v1/moderation/comments/{comment_id}/decisions": {"post": secured | {
            "summary": "Approve or reject a comment, or reverse an earlier decision.",
            "parameters": [comment],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref("DecisionRequest")}}},
            "responses": {"201": json_content(ref("Decision"), "The decision taken."),
                          "401": UNAUTHORIZED, "404": error("No comment has that id."),
                          "409": error("The comment has that status already."),
                          "422": INVALID} | NOT_JSON,
        }},
        "/api/v1/moderation/decisions": {"post": secured | {
            "summary": "One decision on many comments.",
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref("BulkDecisionRequest")}}},
            "responses": {"200": json_content(ref("BulkResult"), "The decisions taken."),
                          "401": UNAUTHORIZED, "422": INVALID} | NOT_JSON,
        }},
    }
