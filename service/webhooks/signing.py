"""Secrets, message bodies and signatures, the Standard Webhooks way.

See https://www.standardwebhooks.com: a delivery carries ``webhook-id`` (the event's
id, the same on every retry), ``webhook-timestamp`` (the attempt's Unix time) and
``webhook-signature``: ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``, one
per secret in use, separated by spaces.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from standardwebhooks import Webhook

from service.comments.models import Event
from service.db import iso

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh endpoint secret: ``whsec_`` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def message_body(event: Event) -> str:
    """The JSON body of an event's deliveries: ``{"type", "timestamp", "data"}``."""
    message = {"type": event.type, "timestamp": iso(event.created_at), "data": event.payload}
    return json.dumps(message, separators=(",", ":"))


def signed_headers(secrets_in_use: Sequence[str], message_id: str, timestamp: int,
                   body: str) -> dict[str, str]:
    """The headers of one attempt, signed with every secret in ``secrets_in_use``."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    signatures = [Webhook(secret).sign(message_id, moment, body) for secret in secrets_in_use]
    return {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
    }
