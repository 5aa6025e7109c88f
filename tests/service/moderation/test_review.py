"""Deciding held comments, through the moderation API and through the dashboard."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from service import db
from service.accounts.models import AuditEntry
from service.comments.models import Decision, Event
from service.policy import LABELS, Policy
from service.queueing import EXPLAIN_QUEUE, SCORING_QUEUE
from service.sites.services import save_settings
from tests.support.accounts import (
    HOLD_ALL,
    audit_actions,
    bearer,
    csrf_token,
    post_comment,
    scored,
    status,
)
from tests.support.work import drain

API = "/api/v1/moderation"


def decide(client, token, comment_id, action, reason=""):
    return client.post(f"{API}/comments/{comment_id}/decisions",
                       json={"action": action, "reason": reason}, headers=bearer(token))


def test_the_queue_lists_held_comments_oldest_first_with_scores(client, accounts, held):
    page = client.get(f"{API}/queue", headers=bearer(accounts["mia"])).json
    assert [item["id"] for item in page["comments"]] == held
    assert page["total"] == 3 and page["next_cursor"] is None
    first = page["comments"][0]
    assert first["body"] == "The bus lanes helped my commute."
    assert first["author"] == "Reader" and first["status"] == "held"
    assert set(first["scores"]) <= set(LABELS) and first["scores"]
    assert first["flagged"] == dict.fromkeys(first["scores"], "hold")


def test_approving_publishes_and_is_recorded_with_the_scores_at_the_time(app, client, accounts,
                                                                         held):
    response = decide(client, accounts["mia"], held[0], "approve", "fine in context")
    assert response.status_code == 201
    decision = response.json
    assert decision["outcome"] == "approved" and decision["actor"] == "mia"
    assert decision["reason"] == "fine in context"
    model_scores = client.get(f"{API}/comments/{held[0]}",
                              headers=bearer(accounts["mia"])).json["scores"]
    assert decision["scores"] == model_scores

    assert status(client, held[0]) == "approved"
    published = client.get("/api/v1/threads/city-budget/comments").json["comments"]
    assert [item["id"] for item in published] == [held[0]]
    queue = client.get(f"{API}/queue", headers=bearer(accounts["mia"])).json
    assert held[0] not in [item["id"] for item in queue["comments"]]

    with app.app_context():
        events = db.session().scalars(select(Event).where(
            Event.comment_id == uuid.UUID(held[0])).order_by(Event.created_at)).all()
        entry = db.session().scalars(select(AuditEntry).where(
            AuditEntry.action == "comment.approved")).one()
    assert [event.type for event in events] == ["comment.created", "comment.held",
                                                "comment.approved"]
    assert events[-1].payload["decision"]["actor"] == "mia"
    assert (entry.actor, entry.subject, entry.reason) == ("mia", held[0], "fine in context")
    assert entry.details["from"] == "held" and entry.details["scores"] == model_scores


def test_a_decision_can_be_reversed_and_the_history_keeps_every_step(client, accounts, held):
    assert decide(client, accounts["mia"], held[0], "reject", "spam: a shop's links").status_code \
        == 201
    assert decide(client, accounts["ada"], held[0], "approve", "not spam after all") \
        .status_code == 201
    assert status(client, held[0]) == "approved"

    comment = client.get(f"{API}/comments/{held[0]}", headers=bearer(accounts["mia"])).json
    steps = [(item["actor"], item["outcome"], item["reason"]) for item in comment["decisions"]]
    assert steps[0][:2] == ("model", "held")
    assert steps[1:] == [("mia", "rejected", "spam: a shop's links"),
                         ("ada", "approved", "not spam after all")]
    for item in comment["decisions"]:
        assert set(item) >= {"outcome", "actor", "reason", "scores", "model", "created_at"}
    assert comment["decisions"][0]["model"] and comment["decisions"][1]["model"] is None
    times = [item["created_at"] for item in comment["decisions"]]
    assert times == sorted(times)


def test_a_decision_the_comment_has_already_is_a_conflict(client, accounts, held):
    assert decide(client, accounts["mia"], held[0], "approve").status_code == 201
    again = decide(client, accounts["mia"], held[0], "approve")
    assert again.status_code == 409
    assert again.json == {"error": "already_decided",
                          "message": "The comment is approved already.",
                          "comment_status": "approved"}


def test_bad_decisions_say_what_is_wrong(client, accounts, held):
    token = accounts["mia"]
    cases = [
        ({"action": "reject"}, 422, "reason: a rejection needs a reason"),
        ({"action": "delete", "reason": "x"}, 422, "action: Input should be 'approve' or 'reject'"),
        ({"action": "approve", "reason": "x" * 501}, 422, "reason: String should have at most"),
        ({"action": "approve", "why": "x"}, 422, "why: is not a known field"),
    ]
    for body, code, message in cases:
        response = client.post(f"{API}/comments/{held[0]}/decisions", json=body,
                               headers=bearer(token))
        assert response.status_code == code and message in response.json["message"], body
    not_json = client.post(f"{API}/comments/{held[0]}/decisions", data="action=approve",
                           headers=bearer(token))
    assert not_json.status_code == 415
    missing = decide(client, token, uuid.uuid4(), "approve")
    assert missing.status_code == 404 and missing.json["error"] == "not_found"
    assert status(client, held[0]) == "held"


def test_bulk_decisions_are_all_or_nothing_for_unknown_ids(client, accounts, held):
    token = accounts["mia"]
    unknown = str(uuid.uuid4())
    refused = client.post(f"{API}/decisions", headers=bearer(token), json={
        "comment_ids": [held[0], unknown], "action": "reject", "reason": "spam"})
    assert refused.status_code == 422
    assert refused.json["fields"] == {"comment_ids": f"no such comment: {unknown}"}
    assert status(client, held[0]) == "held"

    decide(client, token, held[2], "reject", "abusive")
    response = client.post(f"{API}/decisions", headers=bearer(token), json={
        "comment_ids": held, "action": "reject", "reason": "off-topic"})
    assert response.status_code == 200
    assert [item["comment_id"] for item in response.json["decisions"]] == held[:2]
    assert response.json["unchanged"] == [held[2]]
    assert [status(client, comment_id) for comment_id in held] == ["rejected"] * 3


def test_the_queue_filters_by_status_thread_and_label(app, client, accounts):
    token = accounts["mia"]
    with app.app_context(), db.transaction() as session:  # toxicity alone holds
        save_settings(session, policy=Policy.from_overrides({
            "hold": dict.fromkeys(LABELS, 1.0) | {"toxicity": 0.0},
            "reject": HOLD_ALL["reject"]}), origins=[], by="test")
    toxic = scored(app, client, "First on the budget.", thread="budget")[0]
    with app.app_context(), db.transaction() as session:  # insult alone holds
        save_settings(session, policy=Policy.from_overrides({
            "hold": dict.fromkeys(LABELS, 1.0) | {"insult": 0.0},
            "reject": HOLD_ALL["reject"]}), origins=[], by="test")
    insulting = scored(app, client, "Second, on the parks.", thread="parks")[0]

    def ids(**query):
        response = client.get(f"{API}/queue", query_string=query, headers=bearer(token))
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json["comments"]]

    assert ids() == [toxic, insulting]
    assert ids(thread="parks") == [insulting]
    assert ids(label="toxicity") == [toxic]
    assert ids(label="insult") == [insulting]
    assert ids(label="threat") == []
    decide(client, token, toxic, "approve")
    assert ids() == [insulting]
    assert ids(status="approved") == [toxic]
    assert ids(status="rejected") == []

    for query, message in [({"status": "gone"}, "status: Input should be"),
                           ({"label": "rude"}, "label: Input should be"),
                           ({"limit": "0"}, "limit: Input should be greater than"),
                           ({"thread": "no spaces"}, "thread: a thread id has"),
                           ({"color": "red"}, "color: is not a known field")]:
        response = client.get(f"{API}/queue", query_string=query, headers=bearer(token))
        assert response.status_code == 422 and message in response.json["message"], query


def test_the_queue_orders_by_highest_score_and_pages_with_a_cursor(app, client, accounts):
    token = accounts["mia"]
    ids = scored(app, client, *(f"Comment number {n} about the tram line." for n in range(7)))
    everything = client.get(f"{API}/queue", query_string={"sort": "score"},
                            headers=bearer(token)).json["comments"]
    tops = [max(item["scores"].values()) for item in everything]
    assert tops == sorted(tops, reverse=True)
    assert sorted(item["id"] for item in everything) == sorted(ids)

    for sort in ("oldest", "score"):
        seen, cursor = [], None
        while True:
            query = {"sort": sort, "limit": 3} | ({"cursor": cursor} if cursor else {})
            page = client.get(f"{API}/queue", query_string=query, headers=bearer(token)).json
            assert page["total"] == 7
            seen += [item["id"] for item in page["comments"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        expected = ids if sort == "oldest" else [item["id"] for item in everything]
        assert seen == expected, sort

    first = client.get(f"{API}/queue", query_string={"limit": 3}, headers=bearer(token)).json
    wrong_order = client.get(f"{API}/queue", headers=bearer(token), query_string={
        "sort": "score", "cursor": first["next_cursor"]})
    assert wrong_order.status_code == 400 and wrong_order.json["error"] == "invalid_cursor"
    garbage = client.get(f"{API}/queue", query_string={"cursor": "bm9wZQ"}, headers=bearer(token))
    assert garbage.status_code == 400


def test_a_reply_comes_with_its_parent(app, client, accounts):
    parent = post_comment(client, "Fares should be free for students.")
    reply = post_comment(client, "Who pays for that, then?", parent_id=parent)
    drain(app)
    item = client.get(f"{API}/comments/{reply}", headers=bearer(accounts["mia"])).json
    assert item["parent"] == {"id": parent, "author": "Reader",
                              "body": "Fares should be free for students.", "status": "held"}


def test_the_dashboard_shows_text_as_text_never_as_html(app, client, held, moderator_client):
    hostile = scored(app, client, '<script>alert("x")</script><b onmouseover=x>bold</b>')[0]
    page = moderator_client.get("/dashboard/queue").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b onmouseover=x&gt;" in page
    assert "<script>alert" not in page and "<b onmouseover" not in page
    detail = moderator_client.get(f"/dashboard/comments/{hostile}").text
    assert "&lt;script&gt;" in detail and "<script>alert" not in detail


def test_the_dashboard_queue_highlights_what_caused_the_hold(app, client, moderator_client):
    with app.app_context(), db.transaction() as session:
        save_settings(session, policy=Policy.from_overrides({
            "hold": dict.fromkeys(LABELS, 1.0) | {"threat": 0.0},
            "reject": HOLD_ALL["reject"]}), origins=[], by="test")
    parent = post_comment(client, "The council meets on Tuesday.")
    post_comment(client, "I will be there to ask about the bridge.", parent_id=parent)
    drain(app)
    page = moderator_client.get("/dashboard/queue").text
    highlighted = page.split('class="flag-hold"')
    assert len(highlighted) == 3, "the threat score of each of the two comments"
    assert all('<span class="label">threat</span>' in part[:300] for part in highlighted[1:])
    assert "In reply to <b>Reader</b>" in page and "The council meets on Tuesday." in page
    assert re.search(r"waiting \d+ (s|min)</span>", page)


def test_the_dashboard_approves_rejects_and_bulk_decides(app, client, held, moderator_client):
    token = csrf_token(moderator_client, "/dashboard/queue")
    back = "/dashboard/queue?sort=oldest"
    approved = moderator_client.post("/dashboard/decisions", data={
        "csrf_token": token, "comment_ids": held[0], "action": "approve", "next": back})
    assert approved.status_code == 303 and approved.headers["Location"] == back
    assert status(client, held[0]) == "approved"

    no_reason = moderator_client.post("/dashboard/decisions", follow_redirects=True, data={
        "csrf_token": token, "comment_ids": held[1], "action": "reject", "code": ""})
    assert "Choose why the comments are rejected." in no_reason.text
    assert status(client, held[1]) == "held"

    bulk = moderator_client.post("/dashboard/decisions", follow_redirects=True, data={
        "csrf_token": token, "comment_ids": held, "action": "reject", "code": "spam",
        "note": "same link in each"})
    assert "Rejected 3 comments." in bulk.text
    assert [status(client, comment_id) for comment_id in held] == ["rejected"] * 3
    assert "0 held comments" in bulk.text

    with app.app_context():
        reasons = db.session().scalars(select(AuditEntry.reason).where(
            AuditEntry.action == "comment.rejected")).all()
    assert reasons == ["spam: same link in each"] * 3
    assert audit_actions(app, "mia").count("comment.rejected") == 3


def test_the_comment_page_shows_its_whole_history(app, client, accounts, held, moderator_client):
    decide(client, accounts["mia"], held[0], "reject", "offensive")
    decide(client, accounts["ada"], held[0], "approve", "quoting the mayor")
    page = moderator_client.get(f"/dashboard/comments/{held[0]}").text
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert ["posted" in rows[0], "model" in rows[1], "mia" in rows[2], "ada" in rows[3]] == \
        [True] * 4
    assert "offensive" in rows[2] and "quoting the mayor" in rows[3]
    assert moderator_client.get(f"/dashboard/comments/{uuid.uuid4()}").status_code == 404


def test_the_audit_log_page_shows_who_did_what_and_why(client, accounts, held, moderator_client):
    decide(client, accounts["mia"], held[0], "reject", "abusive: name-calling")
    page = moderator_client.get("/dashboard/audit?action=comment.rejected").text
    assert "abusive: name-calling" in page and "was held." in page
    assert "Scores at the time" in page
    assert f"/dashboard/comments/{held[0]}" in page
    everything = moderator_client.get("/dashboard/audit").text
    assert "<code>login</code>" in everything and "<code>token.created</code>" in everything


def test_a_held_comment_shows_plainly_until_its_explanation_is_written(
        app, client, accounts, moderator_client):
    """Explained after the decision, by the explain queue's job: until then, as a comment
    with no explanation."""
    body = "The council should fix the road by the old school."
    comment_id = post_comment(client, body)
    drain(app, (SCORING_QUEUE,))

    found = client.get(f"/api/v1/moderation/comments/{comment_id}",
                       headers=bearer(accounts["mia"])).json
    assert (found["status"], found["explanation"]) == ("held", [])
    page = moderator_client.get("/dashboard/queue")
    assert page.status_code == 200 and body in page.text and "why-word" not in page.text
    assert moderator_client.get(f"/dashboard/comments/{comment_id}").status_code == 200

    def explanation() -> list | None:
        with app.app_context():
            return db.session().scalar(select(Decision.explanation).where(
                Decision.comment_id == uuid.UUID(comment_id)))

    assert explanation() is None, "not explained yet"
    drain(app, (EXPLAIN_QUEUE,))
    assert isinstance(explanation(), list)


def test_a_held_comment_carries_the_spans_that_drove_its_score(app, client, accounts):
    """The real worker and tiny model: spans index into the body, strongest first."""
    [comment_id] = scored(app, client, "The council should fix the road by the old school.")
    found = client.get(f"/api/v1/moderation/comments/{comment_id}",
                       headers=bearer(accounts["mia"])).json
    body, spans = found["body"], found["explanation"]
    assert isinstance(spans, list)
    assert all(0 <= span["start"] < span["end"] <= len(body) for span in spans)
    assert [span["weight"] for span in spans] == sorted((s["weight"] for s in spans),
                                                        reverse=True)
    with app.app_context():
        decision = db.session().scalars(select(Decision).where(
            Decision.comment_id == uuid.UUID(comment_id))).one()
    assert decision.explanation == spans, "held by the model: explained"
