"""The webhooks the service sends, for the document's ``webhooks``: their body and headers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from service.apidoc import Time
from service.webhooks.models import EVENT_TYPES
from service.webhooks.schemas import EventType


class EventDecision(BaseModel):
    """The decision; not on comment.created."""

    outcome: str
    actor: str = Field(description='"model", or the moderator\'s name.')
    reason: str
    code: str | None = Field(default=None, description="The rule's code (spam.links, ...).")
    scores: dict[str, float] | None = None
    model: str | None = None
    created_at: Time


class EventData(BaseModel):
    """What the event is about."""

    comment: dict[str, Any] = Field(description="The comment, in full.")
    thread: dict[str, Any] = Field(description="The comment's thread: its id.")
    site: dict[str, Any] | None = Field(default=None, description="The comment's site: slug, "
                                                                  "name.")
    decision: EventDecision | None = None
    report: dict[str, Any] | None = Field(default=None, description=(
        "On comment.reported: the reader's report."))
    reports: dict[str, Any] | None = Field(default=None, description=(
        "On reports.dismissed: how many, and by whom."))
    appeal: dict[str, Any] | None = Field(default=None, description=(
        "On comment.appealed and appeal.decided: the appeal."))


class WebhookEvent(BaseModel):
    """The body of a delivery (Standard Webhooks). Check the webhook-signature header
    before trusting it (docs/webhooks.md)."""

    type: EventType
    timestamp: Time
    data: EventData


HEADERS = {
    "webhook-id": "The event's id; the same on every retry (deduplicate on it).",
    "webhook-timestamp": "Unix seconds of this attempt.",
    "webhook-signature": "Space-separated `v1,<base64 HMAC-SHA256>` signatures of "
                         "`{webhook-id}.{webhook-timestamp}.{body}`, one per secret in use.",
}


def callbacks(event: dict[str, Any]) -> dict[str, Any]:
    """The document's ``webhooks``: one per event type; ``event`` refers to ``Event``."""
    return {event_type: {"post": {
        "tags": ["webhooks"],
        "summary": f"Sent to endpoints that subscribe to {event_type}.",
        "parameters": [{"name": name, "in": "header", "required": True, "description": text,
                        "schema": {"type": "string"}} for name, text in HEADERS.items()],
        "requestBody": {"required": True, "content": {"application/json": {"schema": event}}},
        "responses": {"2XX": {"description": "Received. Anything else, or no answer within "
                                             "15 s, is retried; 410 disables the endpoint."}},
    }} for event_type in EVENT_TYPES}
