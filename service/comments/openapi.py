"""The comments' part of the OpenAPI document: the public API that the widget uses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from service.apidoc import (
    INVALID,
    NULLABLE_TIME,
    SCORES,
    STATUS,
    TIME,
    Paths,
    error,
    json_content,
    path_parameter,
    ref,
)
from service.comments.schemas import NewComment, NudgeAnswer

MODELS: tuple[type[BaseModel], ...] = (NewComment, NudgeAnswer)
"""Request bodies and responses, described by their pydantic models."""

SCHEMAS: dict[str, dict[str, Any]] = {
    "Comment": {
        "type": "object", "required": ["id", "thread_id", "status", "created_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "thread_id": {"type": "string"},
            "parent_id": {"type": ["string", "null"], "format": "uuid"},
            "status": STATUS,
            "created_at": TIME,
            "decided_at": NULLABLE_TIME,
            "author": {"type": "string", "description": "Only once the comment is approved."},
            "body": {"type": "string", "description": "Only once the comment is approved."},
            "listed": {"type": "boolean", "description": (
                "Whether a published comment shows in the thread: a reply waits for the "
                "comment it answers to be published.")},
            "listing_note": {"type": "string",
                             "description": "Why a published comment is not listed yet."},
        },
    },
    "CommentPage": {
        "type": "object", "required": ["thread_id", "comments", "next_cursor"],
        "properties": {
            "thread_id": {"type": "string"},
            "site": {"type": "object", "description": "The site the thread is on.",
                     "properties": {"slug": {"type": "string"}, "locale": {"type": "string"},
                                    "anonymous_allowed": {"type": "boolean"}}},
            "thread": {"type": "object", "description": (
                "The thread: its headline and link (null until a page of an allowed origin "
                "gives them), and whether it is closed to new comments."),
                       "required": ["id", "title", "url", "closed"],
                       "properties": {"id": {"type": "string"},
                                      "title": {"type": ["string", "null"]},
                                      "url": {"type": ["string", "null"]},
                                      "closed": {"type": "boolean"}}},
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
            "scores": {"oneOf": [SCORES, {"type": "null"}],
                       "description": "The model's scores (at the time, for a moderator)."},
            "model": {"type": ["string", "null"]},
            "thresholds": {"type": ["object", "null"],
                           "description": "The policy in force, for the model's decision."},
            "created_at": TIME,
        },
    },
}


AUTHOR_TOKEN = {"name": "X-Author-Token", "in": "header", "required": True,
                "schema": {"type": "string"},
                "description": "The author_token that posting the comment answered."}


def _thread_paths(thread: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Posting to a thread and listing it."""
    return {
        "post": {
            "tags": ["comments"], "summary": "Post a comment; it is scored before it shows.",
            "description": (
                "A signed-in commenter sends `Authorization: Bearer <JWT>`: HS256 with the "
                "site's SSO secret, claims sub, name and exp; the comment is shown under "
                "the token's name (the body's author is ignored)."),
            "parameters": [thread],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": ref("NewComment")}}},
            "responses": {
                "200": json_content(ref("NudgeAnswer"), (
                    "Asked with \"nudge\": true: the site's policy would hold or reject the "
                    "text for its content. Nothing is stored; post again with the text "
                    "revised (\"nudge\": true) or as it is (without it), and the nudge's id "
                    "as nudge_id.")),
                "202": json_content(ref("PostedComment"), (
                    "Stored: pending and queued for scoring, or held or rejected at once "
                    "by a link rule of the spam stage.")),
                "400": error("The body is not JSON."),
                "401": error("invalid_token: the commenter's token is malformed, expired or "
                             "signed with another secret; sign_in_required: the site takes "
                             "no anonymous comments."),
                "403": error("commenter_banned: the commenter may not comment; "
                             "thread_closed: the thread takes no new comments."),
                "404": error("The thread id is not valid."),
                "409": error("The same comment was posted just before."),
                "415": error("The body is not sent as application/json."),
                "422": INVALID,
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
    }


def paths() -> Paths:
    """The API that readers' clients (the widget) use."""
    thread = path_parameter("thread_id", "1 to 200 letters, digits, '-', '_' or '.'.")
    thread_paths = _thread_paths(thread)
    site = path_parameter("site", "The site's slug (the paths without it mean `default`).")
    per_site = {method: operation | {
        "parameters": [site, *operation["parameters"]],
        "responses": operation["responses"] | {
            "404": error("No site has that name (site_not_found), or the thread id is not "
                         "valid.")}}
        for method, operation in thread_paths.items()}
    return {
        "/api/v1/threads/{thread_id}/comments": thread_paths,
        "/api/v1/sites/{site}/threads/{thread_id}/comments": per_site,
        "/api/v1/comments/{comment_id}": {
            "get": {
                "tags": ["comments"], "summary": "A comment's status; its text once published.",
                "description": "With X-Author-Token, the author's view (statement of reasons).",
                "parameters": [path_parameter("comment_id", "The comment's id."),
                               AUTHOR_TOKEN | {"required": False}],
                "responses": {"200": json_content({"oneOf": [ref("Comment"), ref("AuthorView")]},
                                                  "The comment, or the author's view of it."),
                              "401": error("X-Author-Token is empty."),
                              "403": error("X-Author-Token is not this comment's."),
                              "404": error("No comment has that id.")},
            },
        },
    }
