"""Every event type reaches the receiver signed, through the real pipeline."""

from __future__ import annotations

import json

import pytest

from service import db
from service.comments.events import record_decision
from service.comments.models import Comment
from service.webhooks.verify import verify_webhook
from tests.support.webhooks import add_comment, add_endpoint, deliver_webhooks, deliveries
from tests.support.work import drain

THREAD = "/api/v1/threads/ukraine-peace-deal/comments"
ALWAYS = {label: 0.0 for label in ("toxicity", "insult", "threat")}
NEVER = {label: 1.0 for label in ("toxicity", "severe_toxicity", "obscene", "threat", "insult",
                                  "identity_attack")}


@pytest.mark.parametrize(("thresholds", "outcome"), [
    ({"hold": NEVER, "reject": NEVER}, "approved"),
    ({"hold": ALWAYS, "reject": NEVER}, "held"),
    ({"hold": NEVER, "reject": ALWAYS}, "rejected"),
])
def test_a_comment_sends_created_then_its_decision_signed(settings, request, receiver,
                                                          thresholds, outcome):
    settings["MODERATION_THRESHOLDS"] = thresholds
    app = request.getfixturevalue("app")
    endpoint = add_endpoint(app, receiver.url)
    posted = app.test_client().post(THREAD, json={"author": "Ana", "body": "Borders matter."})

    drain(app, ("scoring",))
    deliver_webhooks(app)

    events = [verify_webhook(endpoint.secret, sent.headers, sent.body)
              for sent in receiver.wait_for(2)]
    assert [event["type"] for event in events] == ["comment.created", f"comment.{outcome}"]
    created, decided = events
    assert created["data"]["comment"]["id"] == posted.json["id"]
    assert created["data"]["thread"] == {"id": "ukraine-peace-deal"}
    assert "decision" not in created["data"]
    decision = decided["data"]["decision"]
    assert decision["actor"] == "model" and decision["outcome"] == outcome
    assert decision["reason"] and decision["model"]
    assert set(decision["scores"]) >= {"toxicity", "insult", "threat"}
    assert decided["data"]["comment"]["status"] == outcome
    assert decided["timestamp"].endswith("Z")
    ids = [sent.headers["webhook-id"] for sent in receiver.requests]
    assert len(set(ids)) == 2 and all(i.startswith("msg_") for i in ids)
    assert all(sent.headers["Content-Type"] == "application/json" for sent in receiver.requests)
    assert all(delivery.status == "succeeded" for delivery in deliveries(app))


def test_a_moderators_reversal_sends_the_new_event(app, receiver):
    endpoint = add_endpoint(app, receiver.url)
    comment_id = add_comment(app, "held")
    deliver_webhooks(app)

    with app.app_context(), db.transaction() as session:
        record_decision(session, session.get(Comment, comment_id), outcome="approved",
                        actor="maria", reason="satire, not a threat")
    deliver_webhooks(app)

    types = [json.loads(sent.body)["type"] for sent in receiver.wait_for(3)]
    assert types == ["comment.created", "comment.held", "comment.approved"]
    reversal = verify_webhook(endpoint.secret, receiver.requests[2].headers,
                              receiver.requests[2].body)
    assert reversal["data"]["decision"]["actor"] == "maria"
    assert reversal["data"]["decision"]["reason"] == "satire, not a threat"


def test_an_endpoint_gets_only_the_event_types_it_subscribes_to(app, receiver):
    add_endpoint(app, receiver.url, events=["comment.rejected"])

    add_comment(app, "approved")
    add_comment(app, "rejected")
    deliver_webhooks(app)

    assert [json.loads(sent.body)["type"] for sent in receiver.requests] == ["comment.rejected"]
