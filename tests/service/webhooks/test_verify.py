"""The receivers' verify function agrees with the Standard Webhooks reference library."""

from __future__ import annotations

import base64
import inspect
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from standardwebhooks import Webhook

from service.webhooks import verify
from service.webhooks.signing import new_secret, signed_headers
from service.webhooks.verify import InvalidWebhook, verify_webhook

ROOT = Path(__file__).parents[3]
BODY = '{"type":"comment.held","timestamp":"2026-11-25T08:00:00.000Z","data":{}}'


def reference_headers(secret: str, message_id: str = "msg_1", at: int | None = None) -> dict:
    at = int(time.time()) if at is None else at
    signature = Webhook(secret).sign(message_id, datetime.fromtimestamp(at, UTC), BODY)
    return {"webhook-id": message_id, "webhook-timestamp": str(at),
            "webhook-signature": signature}


def test_a_delivery_signed_by_the_reference_library_verifies():
    secret = new_secret()
    assert verify_webhook(secret, reference_headers(secret), BODY.encode())["type"] == (
        "comment.held")


def test_our_signatures_verify_with_the_reference_library():
    old, new = new_secret(), new_secret()
    headers = signed_headers([new, old], "msg_2", int(time.time()), BODY)

    for secret in (old, new):
        assert Webhook(secret).verify(BODY, headers)["type"] == "comment.held"
    assert headers["webhook-signature"].count("v1,") == 2


def test_header_names_may_come_in_any_case():
    secret = new_secret()
    headers = {name.title(): value for name, value in reference_headers(secret).items()}
    verify_webhook(secret, headers, BODY.encode())


@pytest.mark.parametrize(("tamper", "why"), [
    (lambda h, b: (h, b.replace(b"held", b"approved")), "no signature matches"),
    (lambda h, b: (h | {"webhook-id": "msg_other"}, b), "no signature matches"),
    (lambda h, b: (h | {"webhook-signature": "v1,AAAA"}, b), "no signature matches"),
    (lambda h, b: (h | {"webhook-timestamp": str(int(time.time()) - 301)}, b), "too old"),
    (lambda h, b: (h | {"webhook-timestamp": str(int(time.time()) + 301)}, b), "too new"),
    (lambda h, b: (h | {"webhook-timestamp": "soon"}, b), "malformed"),
    (lambda h, b: ({k: v for k, v in h.items() if k != "webhook-signature"}, b), "missing"),
])
def test_a_forged_altered_or_stale_delivery_is_refused(tamper, why):
    secret = new_secret()
    headers, body = tamper(reference_headers(secret), BODY.encode())

    with pytest.raises(InvalidWebhook, match=why):
        verify_webhook(secret, headers, body)


def test_another_endpoints_secret_does_not_verify():
    headers = reference_headers(new_secret())
    with pytest.raises(InvalidWebhook):
        verify_webhook(new_secret(), headers, BODY.encode())


def test_secrets_are_whsec_and_24_or_more_random_bytes():
    secrets = {new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(len(base64.b64decode(s.removeprefix("whsec_"))) >= 24 for s in secrets)


@pytest.mark.parametrize("guide", ["README.md", "docs/webhooks.md"])
def test_the_guides_show_this_very_function(guide):
    source = inspect.getsource(verify)
    code = source[source.index("import base64"):]

    assert f"```python\n{code}```" in (ROOT / guide).read_text()
