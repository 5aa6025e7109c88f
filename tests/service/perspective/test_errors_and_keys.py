"""Google's error shape with Perspective's statuses; keys from the command; suggestscore labels."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from service import db
from service.accounts.models import AuditEntry
from service.perspective.cli import keys
from service.perspective.models import PerspectiveKey, SuggestedScore
from service.sites.services import site_by_slug
from tests.service.perspective.conftest import new_key
from tests.service.perspective.test_analyze import ANALYZE, coral_analyze_body, post
from tests.support.sites import add_site

SUGGEST = "/v1alpha1/comments:suggestscore"


def google_error(response, code: int, status: str) -> str:
    """Assert Google's error shape; return the message."""
    assert response.status_code == code, response.get_data(as_text=True)
    assert set(response.json) == {"error"}
    error = response.json["error"]
    assert set(error) == {"code", "message", "status"}
    assert error["code"] == code and error["status"] == status and error["message"]
    return error["message"]


def test_a_missing_unknown_or_revoked_key_is_permission_denied(app, client, runner):
    body = coral_analyze_body("Hello.")
    google_error(client.post(ANALYZE, json=body), 403, "PERMISSION_DENIED")
    google_error(post(client, "psk_not-a-key", body), 403, "PERMISSION_DENIED")
    google_error(client.post(f"{SUGGEST}?key=nope", json={}), 403, "PERMISSION_DENIED")

    secret = new_key(app)
    with app.app_context():
        key_id = db.session().scalar(select(PerspectiveKey.id))
    assert runner.invoke(keys, ["revoke", str(key_id)]).exit_code == 0
    google_error(post(client, secret, body), 403, "PERMISSION_DENIED")


@pytest.mark.parametrize(("body", "says"), [
    (coral_analyze_body("Hello.", model="FLIRTATION"), "Unknown requested attribute: FLIRTATION"),
    (coral_analyze_body("Hallo.", language="de"), "languages: de"),
    (coral_analyze_body("   "), "non-empty"),
    (coral_analyze_body("x" * 20481), "too long"),
    ({"comment": {"text": "Hi"}, "requestedAttributes": {"TOXICITY": {"scoreType": "RAW"}}},
     "score type"),
    ({"comment": {"text": "Hi"}, "requestedAttributes": {}}, "requestedAttributes"),
    ({"requestedAttributes": {"TOXICITY": {}}}, "comment"),
    ({"comment": {"text": 5}, "requestedAttributes": {"TOXICITY": {}}}, "comment.text"),
    ([1, 2], "JSON object"),
])
def test_bad_requests_are_invalid_argument(client, key, body, says):
    assert says in google_error(post(client, key, body), 400, "INVALID_ARGUMENT")


def test_bad_json_is_invalid_argument(client, key):
    response = client.post(f"{ANALYZE}?key={key}", data=b"{not json",
                           headers={"Content-Type": "application/json"})
    assert "Invalid JSON" in google_error(response, 400, "INVALID_ARGUMENT")


def test_over_the_keys_quota_is_resource_exhausted(app, client):
    secret = new_key(app, quota=2)
    body = {"comment": {"text": "Fine."}, "attributeScores": {"APPROVED": {
        "summaryScore": {"value": 1}}}}
    statuses = [client.post(f"{SUGGEST}?key={secret}", json=body) for _ in range(5)]

    # Five requests span at most two seconds: at most four are let through.
    refused = [response for response in statuses if response.status_code == 429]
    assert refused and all(response.status_code in (200, 429) for response in statuses)
    assert "2 requests per second" in google_error(refused[0], 429, "RESOURCE_EXHAUSTED")
    other = new_key(app, name="other", quota=2)  # the quota is per key
    assert client.post(f"{SUGGEST}?key={other}", json=body).status_code == 200


def coral_suggest_body(comment_id: str, status: str) -> dict:
    """What Coral's ``formatBody`` sends for ``comments:suggestscore`` (its exact keys)."""
    return {
        "comment": {"text": f"The text of {comment_id}."},
        "context": {"entries": [{"text": json.dumps({
            "url": f"https://news.example/story?commentID={comment_id}",
            "reply_to_id_Coral_comment_id": None, "Coral_comment_id": comment_id})}]},
        "attributeScores": {status: {"summaryScore": {"value": 1}}},
        "languages": ["EN"],
        "communityId": "Coral:https://news.example/",
        "clientToken": f"comment:{comment_id}",
    }


def test_suggestscore_stores_coral_decisions_as_labels(app, client):
    add_site(app, "news")
    secret = new_key(app, site="news")
    approved = client.post(f"{SUGGEST}?key={secret}", json=coral_suggest_body("a1", "APPROVED"))
    rejected = client.post(f"{SUGGEST}?key={secret}", json=coral_suggest_body("r1", "DELETED"))
    scored = client.post(f"{SUGGEST}?key={secret}", json={
        "comment": {"text": "Meh."}, "attributeScores": {"INSULT": {"summaryScore": {
            "value": 0.25, "type": "PROBABILITY"}}}})

    assert approved.json == {"clientToken": "comment:a1"}  # Coral checks it comes back
    assert rejected.json == {"clientToken": "comment:r1"} and scored.json == {}
    with app.app_context():
        labels = db.session().scalars(select(SuggestedScore).order_by(SuggestedScore.id)).all()
    assert [(label.attribute, label.label, label.value) for label in labels] == [
        ("APPROVED", "toxicity", 0.0), ("DELETED", "toxicity", 1.0), ("INSULT", "insult", 0.25)]
    assert labels[0].client_token == "comment:a1" and labels[0].site == "news"
    assert labels[0].community_id == "Coral:https://news.example/"
    assert labels[1].text == "The text of r1."
    assert "Coral_comment_id" in labels[1].context["entries"][0]["text"]

    unknown = client.post(f"{SUGGEST}?key={secret}", json=coral_suggest_body("x", "SPAMMY"))
    assert "Unknown attribute: SPAMMY" in google_error(unknown, 400, "INVALID_ARGUMENT")


def test_keys_are_created_listed_and_revoked_from_the_command(app, runner):
    unknown = runner.invoke(keys, ["create", "coral", "--site", "news", "--quota", "5"])
    assert unknown.exit_code != 0 and "no site 'news'" in unknown.output
    add_site(app, "news")
    created = runner.invoke(keys, ["create", "coral", "--site", "news", "--quota", "5"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("psk_")

    listed = runner.invoke(keys, ["list"]).stdout
    assert "coral\tnews\t" in listed and "5/s\tnever used\tactive" in listed
    assert secret not in listed
    key_id = listed.split("\t", 1)[0]
    assert runner.invoke(keys, ["revoke", key_id]).exit_code == 0
    assert "was revoked already" in runner.invoke(keys, ["revoke", key_id]).stdout
    assert "revoked" in runner.invoke(keys, ["list"]).stdout
    assert runner.invoke(keys, ["revoke", "999999"]).exit_code != 0
    with app.app_context():
        actions = db.session().scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        stored = db.session().scalar(select(PerspectiveKey))
        news = site_by_slug(db.session(), "news")
    assert stored is not None and news is not None and stored.site_id == news.id
    assert actions == ["site.created", "perspective_key.created", "perspective_key.revoked"]
    assert stored is not None and secret not in (stored.key_hash, stored.hint)
