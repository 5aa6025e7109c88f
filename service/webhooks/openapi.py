"""The webhook parts of the OpenAPI document: the admin API and the callbacks themselves.

``service.openapi`` gathers these: ``paths()`` into its paths, ``SCHEMAS`` into
its components, and ``CALLBACKS`` as the document's ``webhooks``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from service.apidoc import NULLABLE_TIME, TIME, Paths, error, json_content, ref
from service.webhooks.models import EVENT_TYPES, MAX_DELIVERY_ID, DeliveryStatus
from service.webhooks.schemas import EndpointChanges, NewEndpoint

MODELS: tuple[type[BaseModel], ...] = (NewEndpoint, EndpointChanges)
"""Request bodies, described by their pydantic models."""







def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": ref(name)}}}


SCHEMAS: dict[str, dict[str, Any]] = {
    "WebhookEndpoint": {
        "type": "object",
        "required": ["id", "url", "description", "events", "enabled", "created_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "url": {"type": "string", "format": "uri"},
            "site": {"type": ["string", "null"],
                     "description": "The site whose events it receives; null: every site's."},
            "description": {"type": "string"},
            "events": {"type": "array", "items": {"type": "string", "enum": list(EVENT_TYPES)}},
            "enabled": {"type": "boolean"},
            "disabled_reason": {"type": ["string", "null"],
                                "description": "Why it was disabled: by whom, 410 Gone, or "
                                               "five days of failures."},
            "failing_since": {**NULLABLE_TIME,
                              "description": "Start of the current run of failures."},
            "previous_secret_expires_at": {**NULLABLE_TIME,
                                           "description": "Until then the secret before the "
                                                          "last rotation signs too."},
            "created_at": TIME,
            "updated_at": TIME,
        },
    },
    "WebhookEndpointWithSecret": {"allOf": [ref("WebhookEndpoint"), {
        "type": "object", "required": ["secret"],
        "properties": {"secret": {"type": "string", "pattern": "^whsec_",
                                  "description": "Signs the deliveries; shown only here."}},
    }]},
    "WebhookDelivery": {
        "type": "object",
        "required": ["id", "endpoint_id", "event_id", "event_type", "status", "attempts"],
        "properties": {
            "id": {"type": "integer"},
            "endpoint_id": {"type": "string", "format": "uuid"},
            "event_id": {"type": "string", "description": "The webhook-id header it is sent with."},
            "event_type": {"type": "string", "enum": list(EVENT_TYPES)},
            "status": {"type": "string", "enum": list(DeliveryStatus)},
            "attempts": {"type": "integer"},
            "next_attempt_at": NULLABLE_TIME,
            "last_status_code": {"type": ["integer", "null"]},
            "last_error": {"type": ["string", "null"]},
            "created_at": TIME,
            "finished_at": NULLABLE_TIME,
            "attempt_log": {"type": "array", "description": "Only on a single delivery.",
                            "items": ref("WebhookAttempt")},
        },
    },
    "WebhookAttempt": {
        "type": "object",
        "properties": {
            "number": {"type": "integer"},
            "attempted_at": TIME,
            "url": {"type": "string"},
            "status_code": {"type": ["integer", "null"]},
            "latency_ms": {"type": ["integer", "null"]},
            "response_excerpt": {"type": "string", "description": "The first 1 KB."},
            "error": {"type": ["string", "null"]},
            "succeeded": {"type": "boolean"},
        },
    },
    "WebhookEvent": {
        "type": "object", "required": ["type", "timestamp", "data"],
        "description": "The body of a delivery (Standard Webhooks). Check the "
                       "webhook-signature header before trusting it (docs/webhooks.md).",
        "properties": {
            "type": {"type": "string", "enum": list(EVENT_TYPES)},
            "timestamp": TIME,
            "data": {
                "type": "object", "required": ["comment", "thread"],
                "properties": {
                    "comment": {"type": "object", "description": "The comment, in full."},
                    "thread": {"type": "object", "properties": {"id": {"type": "string"}}},
                    "site": {"type": "object", "description": "The comment's site.",
                             "properties": {"slug": {"type": "string"},
                                            "name": {"type": "string"}}},
                    "decision": {
                        "type": "object", "description": "Not on comment.created.",
                        "properties": {
                            "outcome": {"type": "string"},
                            "actor": {"type": "string",
                                      "description": "\"model\", or the moderator's name."},
                            "reason": {"type": "string"},
                            "code": {"type": ["string", "null"],
                                     "description": "The rule's code (spam.links, ...)."},
                            "scores": {"type": ["object", "null"]},
                            "model": {"type": ["string", "null"]},
                            "created_at": TIME,
                        },
                    },
                    "report": {"type": "object",
                               "description": "On comment.reported: the reader's report."},
                    "reports": {"type": "object", "description": (
                        "On reports.dismissed: how many, and by whom.")},
                    "appeal": {"type": "object", "description": (
                        "On comment.appealed and appeal.decided: the appeal.")},
                },
            },
        },
    },
}


def paths() -> Paths:
    """The admins' API of webhook endpoints and their deliveries."""
    endpoint = {"name": "endpoint_id", "in": "path", "required": True,
                "schema": {"type": "string", "format": "uuid"}}
    delivery = {"name": "delivery_id", "in": "path", "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DELIVERY_ID}}
    secured = {"security": [{"bearerAuth": []}], "tags": ["webhooks"]}
    denied = {"401": error("No token, or an unknown or revoked one."),
              "403": error("The token is not an admin's.")}
    missing = {"404": error("No such endpoint or delivery.")}
    invalid = {"400": error("The body is not valid JSON."),
               "415": error("The body is not sent as application/json."),
               "422": error("The input is not valid (or the URL not allowed); says why.")}
    return {
        "/api/v1/webhooks": {
            "post": secured | {
                "summary": "Register an endpoint; the answer holds its secret, this once.",
                "requestBody": _body("NewEndpoint"),
                "responses": {"201": json_content(ref("WebhookEndpointWithSecret"), "Registered."),
                              **denied, **invalid},
            },
            "get": secured | {
                "summary": "Every endpoint, without secrets.",
                "responses": {"200": json_content({"type": "object", "properties": {
                    "webhooks": {"type": "array", "items": ref("WebhookEndpoint")}}},
                    "The endpoints."), **denied},
            },
        },
        "/api/v1/webhooks/{endpoint_id}": {
            "get": secured | {"summary": "One endpoint.", "parameters": [endpoint],
                              "responses": {"200": json_content(ref("WebhookEndpoint"), "It."),
                                            **denied, **missing}},
            "patch": secured | {
                "summary": "Change url, events, description or enabled. Disabling fails "
                           "the pending deliveries; re-send them after enabling.",
                "parameters": [endpoint], "requestBody": _body("EndpointChanges"),
                "responses": {"200": json_content(ref("WebhookEndpoint"), "Changed."),
                              **denied, **missing, **invalid},
            },
            "delete": secured | {"summary": "Delete it with its deliveries.",
                                 "parameters": [endpoint],
                                 "responses": {"204": {"description": "Deleted."},
                                               **denied, **missing}},
        },
        "/api/v1/webhooks/{endpoint_id}/rotate-secret": {"post": secured | {
            "summary": "A new secret, shown this once; the old one signs too for "
                       "WEBHOOK_SECRET_GRACE_SECONDS.",
            "parameters": [endpoint],
            "responses": {"200": json_content(ref("WebhookEndpointWithSecret"), "Rotated."),
                          **denied, **missing},
        }},
        "/api/v1/webhooks/{endpoint_id}/deliveries": {"get": secured | {
            "summary": "The endpoint's deliveries, newest first.",
            "parameters": [endpoint,
                           {"name": "status", "in": "query",
                            "schema": {"type": "string", "enum": list(DeliveryStatus)}},
                           {"name": "limit", "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                           {"name": "before", "in": "query",
                            "schema": {"type": "integer", "minimum": 1,
                                       "maximum": MAX_DELIVERY_ID},
                            "description": "The next_before of the previous page."}],
            "responses": {"200": json_content({"type": "object", "properties": {
                "deliveries": {"type": "array", "items": ref("WebhookDelivery")},
                "next_before": {"type": ["integer", "null"]}}}, "A page of deliveries."),
                "400": error("A bad status, limit or before."), **denied, **missing},
        }},
        "/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}": {"get": secured | {
            "summary": "One delivery with the log of every attempt.",
            "parameters": [endpoint, delivery],
            "responses": {"200": json_content(ref("WebhookDelivery"), "It."), **denied, **missing},
        }},
        "/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend": {"post": secured | {
            "summary": "Send a delivery again now, with a fresh retry schedule.",
            "parameters": [endpoint, delivery],
            "responses": {"202": json_content(ref("WebhookDelivery"), "Queued."),
                          "409": error("The endpoint is disabled."), **denied, **missing},
        }},
        "/api/v1/webhooks/{endpoint_id}/deliveries/resend-failed": {"post": secured | {
            "summary": "Send every failed delivery of the endpoint again.",
            "parameters": [endpoint],
            "responses": {"202": json_content({"type": "object", "properties": {
                "resent": {"type": "integer"}}}, "Queued."),
                "409": error("The endpoint is disabled."), **denied, **missing},
        }},
    }


_HEADERS = {
    "webhook-id": "The event's id; the same on every retry (deduplicate on it).",
    "webhook-timestamp": "Unix seconds of this attempt.",
    "webhook-signature": "Space-separated `v1,<base64 HMAC-SHA256>` signatures of "
                         "`{webhook-id}.{webhook-timestamp}.{body}`, one per secret in use.",
}

CALLBACKS: dict[str, Any] = {
    event_type: {"post": {
        "tags": ["webhooks"],
        "summary": f"Sent to endpoints that subscribe to {event_type}.",
        "parameters": [{"name": name, "in": "header", "required": True, "description": text,
                        "schema": {"type": "string"}} for name, text in _HEADERS.items()],
        "requestBody": _body("WebhookEvent"),
        "responses": {"2XX": {"description": "Received. Anything else, or no answer within "
                                             "15 s, is retried; 410 disables the endpoint."}},
    }}
    for event_type in EVENT_TYPES
}
