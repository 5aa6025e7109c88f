"""End to end: POST, the real worker scores with a real (tiny) model, the policy decides."""

from __future__ import annotations

import pytest

from tests.support.work import drain

THREAD = "/api/v1/threads/ukraine-peace-deal/comments"
ALWAYS = {label: 0.0 for label in ("toxicity", "insult", "threat")}
NEVER = {label: 1.0 for label in ("toxicity", "severe_toxicity", "obscene", "threat", "insult",
                                  "identity_attack")}


def post(client, body="Security guarantees matter more than borders.", author="Ana", **extra):
    response = client.post(THREAD, json={"body": body, "author": author, **extra})
    assert response.status_code == 202, response.json
    return response.json


@pytest.mark.parametrize(("thresholds", "outcome"), [
    ({"hold": NEVER, "reject": NEVER}, "approved"),
    ({"hold": ALWAYS, "reject": NEVER}, "held"),
    ({"hold": NEVER, "reject": ALWAYS}, "rejected"),
])
def test_each_band_decides_and_only_approved_are_listed(settings, thresholds, outcome, request):
    settings["MODERATION_THRESHOLDS"] = thresholds
    app = request.getfixturevalue("app")
    client = app.test_client()
    created = post(client)
    assert created["status"] == "pending"
    assert client.get(THREAD).json["comments"] == []

    drain(app)

    comment = client.get(f"/api/v1/comments/{created['id']}").json
    assert comment["status"] == outcome
    listed = [item["id"] for item in client.get(THREAD).json["comments"]]
    assert listed == ([created["id"]] if outcome == "approved" else [])
