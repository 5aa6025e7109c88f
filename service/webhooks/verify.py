"""How a receiver checks a delivery; ``docs/webhooks.md`` shows this same function.

It needs nothing but the standard library, so a receiver can copy it as it is.
"""

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any


class InvalidWebhook(Exception):
    """The request is not a genuine, recent delivery."""


def verify_webhook(secret: str, headers: Mapping[str, str], body: bytes,
                   tolerance: int = 300) -> dict[str, Any]:
    """Return the event of a genuine delivery, else raise ``InvalidWebhook``.

    Args:
        secret: the endpoint's secret, ``whsec_...``.
        headers: the request's headers, in any letter case.
        body: the raw request body, exactly as received.
        tolerance: the most seconds that the timestamp may be off from now.
    """
    headers = {name.lower(): value for name, value in headers.items()}
    try:
        message_id = headers["webhook-id"]
        timestamp = headers["webhook-timestamp"]
        signatures = headers["webhook-signature"].split()
        sent_at = int(timestamp)
    except (KeyError, ValueError):
        raise InvalidWebhook("missing or malformed webhook-* headers") from None
    if abs(time.time() - sent_at) > tolerance:
        raise InvalidWebhook("timestamp too old or too new")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256)
    expected = b"v1," + base64.b64encode(signed.digest())
    if not any(hmac.compare_digest(expected, given.encode()) for given in signatures):
        raise InvalidWebhook("no signature matches")
    return json.loads(body)
