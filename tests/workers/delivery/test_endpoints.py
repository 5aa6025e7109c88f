"""Which endpoints get an event, what they are sent, and how it is signed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from service import db
from service.comments.models import Event
from service.webhooks import services
from service.webhooks.models import WebhookEndpoint
from service.webhooks.transport import post
from service.webhooks.verify import InvalidWebhook, verify_webhook
from tests.support.webhooks import add_comment, add_endpoint, deliver_webhooks, deliveries
from workers.delivery import fan_out


def test_nothing_is_delivered_to_a_disabled_endpoint(app, receiver):
    endpoint = add_endpoint(app, receiver.url)
    with app.app_context(), db.transaction() as session:
        services.change(session, session.get(WebhookEndpoint, endpoint.id), {"enabled": False},
                         by="admin")

    add_comment(app, "approved")
    deliver_webhooks(app)

    assert receiver.requests == []
    assert deliveries(app) == []


def test_disabling_fails_the_pending_deliveries_and_sends_them_no_more(app, receiver):
    endpoint = add_endpoint(app, receiver.url, events=["comment.created"])
    add_comment(app)
    with app.app_context():
        assert fan_out(db.session().scalar(select(Event.id))) == 1  # its attempt is queued
    with app.app_context(), db.transaction() as session:
        services.change(session, session.get(WebhookEndpoint, endpoint.id), {"enabled": False},
                         by="maria")
    deliver_webhooks(app)

    assert receiver.requests == []
    [delivery] = deliveries(app)
    assert delivery.status == "failed" and delivery.attempts == 0
    assert delivery.last_error == "endpoint disabled: Disabled by maria."


def test_an_endpoint_registered_after_an_event_does_not_get_it(app, receiver):
    add_comment(app)
    add_endpoint(app, receiver.url)
    deliver_webhooks(app)

    assert receiver.requests == []


def test_a_private_url_is_refused_at_delivery_time_without_the_setting(settings, request,
                                                                       receiver):
    settings["WEBHOOK_ALLOW_PRIVATE_URLS"] = False
    settings["WEBHOOK_RETRY_SCALE"] = 0
    app = request.getfixturevalue("app")
    add_endpoint(app, receiver.url, events=["comment.created"])  # as if it once was public

    add_comment(app)
    deliver_webhooks(app)

    assert receiver.requests == []
    [delivery] = deliveries(app)
    assert delivery.status == "failed"
    assert "127.0.0.1, a loopback address" in delivery.attempt_log[0].error


def test_the_connection_itself_refuses_a_private_peer(receiver):
    # What a host name that resolves to a public address at the check, and to a
    # private one when connecting (DNS rebinding), meets: the peer is checked.
    outcome = post(receiver.url, b"{}", {}, timeout=2, allow_private=False)

    assert outcome.status_code is None and "loopback" in outcome.error
    assert receiver.requests == []
    assert post(receiver.url, b"{}", {}, timeout=2, allow_private=True).ok


def test_after_rotation_both_secrets_sign_until_the_grace_period_ends(app, receiver):
    endpoint = add_endpoint(app, receiver.url, events=["comment.created"])
    old_secret = endpoint.secret
    with app.app_context(), db.transaction() as session:
        new_secret = services.rotate_secret(session, session.get(WebhookEndpoint, endpoint.id),
                                             3600, by="admin")
    add_comment(app)
    deliver_webhooks(app)

    [during] = receiver.wait_for(1)
    signatures = during.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    assert new_secret != old_secret
    for secret in (old_secret, new_secret):
        assert verify_webhook(secret, during.headers, during.body)["type"] == "comment.created"

    with app.app_context(), db.transaction() as session:
        session.execute(update(WebhookEndpoint).values(
            previous_secret_expires_at=db.utcnow() - timedelta(seconds=1)))
    add_comment(app)
    deliver_webhooks(app)

    after = receiver.wait_for(2)[1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    verify_webhook(new_secret, after.headers, after.body)
    with pytest.raises(InvalidWebhook):
        verify_webhook(old_secret, after.headers, after.body)
