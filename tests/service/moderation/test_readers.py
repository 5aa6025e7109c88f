"""Statement of reasons, readers' reports and appeals, through the public and moderation APIs."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from service import db
from service.comments.models import Event
from service.comments.readers import ReaderSettings, save_reader_settings
from tests.support.accounts import audit_actions
from tests.support.work import drain

THREAD = "/api/v1/threads/city-budget/comments"


def post(client, body: str, author: str = "Reader") -> dict:
    response = client.post(THREAD, json={"body": body, "author": author})
    assert response.status_code == 202, response.json
    return response.json


def as_author(client, answer: dict):
    return client.get(f"/api/v1/comments/{answer['id']}",
                      headers={"X-Author-Token": answer["author_token"]})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def decide(client, token: str, comment_id: str, action: str, reason: str = "") -> None:
    response = client.post(f"/api/v1/moderation/comments/{comment_id}/decisions",
                           json={"action": action, "reason": reason}, headers=bearer(token))
    assert response.status_code == 201, response.json


def event_types(app) -> list[str]:
    with app.app_context():
        return list(db.session().scalars(select(Event.type).order_by(Event.created_at)))


def report(client, comment_id: str, address: str, reason: str = "abusive"):
    return client.post(f"/api/v1/comments/{comment_id}/reports", json={"reason": reason},
                       environ_base={"REMOTE_ADDR": address})


def test_the_author_sees_their_held_comment_and_why_and_others_do_not(app, client):
    answer = post(client, "Will the library stay open on Sundays?")
    assert answer["author_token"] and answer["status"] == "pending"
    drain(app)

    public = client.get(f"/api/v1/comments/{answer['id']}").json
    mine = as_author(client, answer).json

    assert public["status"] == "held" and "body" not in public and "reason" not in public
    assert mine["body"] == "Will the library stay open on Sundays?"
    assert mine["author"] == "Reader"
    assert mine["automated"] is True
    assert mine["reason"]["code"].startswith("labels:")
    assert mine["reason"]["text"].startswith("Our automated check could not be sure")
    assert "toxic" not in mine["reason"]["text"], "a hold is doubt, not a finding"
    assert "0." not in mine["reason"]["text"], "no raw scores"
    assert mine["outcome_text"] == "It waits for a moderator before it is published."
    assert "appeal" not in mine


def test_a_wrong_or_missing_author_token_is_refused(client):
    answer = post(client, "A view of my own.")
    other = post(client, "Another view.")
    url = f"/api/v1/comments/{answer['id']}"

    wrong = client.get(url, headers={"X-Author-Token": other["author_token"]})
    empty = client.get(url, headers={"X-Author-Token": ""})

    assert (wrong.status_code, wrong.json["error"]) == (403, "not_the_author")
    assert (empty.status_code, empty.json["error"]) == (401, "author_token_required")


def test_spam_held_comments_tell_the_author_the_rule(client):
    answer = post(client, "https://cheap-watches.shop/deal")
    mine = as_author(client, answer).json
    assert mine["status"] == "held"
    assert mine["reason"] == {"code": "spam.link_only",
                              "text": "It is only a link, with nothing else to say."}
    assert mine["automated"] is True


def test_a_rejected_author_appeals_and_another_moderator_overturns(app, client, accounts):
    answer = post(client, "The parking fees are a scandal.")
    drain(app)
    decide(client, accounts["mia"], answer["id"], "reject", "spam: looks like an advert")

    mine = as_author(client, answer).json
    assert mine["status"] == "rejected" and mine["automated"] is False
    assert mine["reason"] == {"code": "moderator.spam",
                              "text": "A moderator found it to be spam or advertising."}
    until = datetime.fromisoformat(mine["appeal"]["until"].removesuffix("Z"))
    assert timedelta(days=13) < until - datetime.utcnow() <= timedelta(days=14)
    assert mine["appeal"]["open"] is True and mine["appeal"]["status"] is None

    url = f"/api/v1/comments/{answer['id']}/appeals"
    appealed = client.post(url, json={"message": "It is my honest opinion."},
                           headers={"X-Author-Token": answer["author_token"]})
    assert appealed.status_code == 202, appealed.json
    again = client.post(url, json={"message": "Please!"},
                        headers={"X-Author-Token": answer["author_token"]})
    assert (again.status_code, again.json["error"]) == (409, "already_appealed")
    assert client.post(url, json={"message": "x"}).status_code == 401
    assert as_author(client, answer).json["appeal"]["status"] == "open"

    queue = client.get("/api/v1/moderation/appeals", headers=bearer(accounts["mia"])).json
    assert [item["comment"]["id"] for item in queue["appeals"]] == [answer["id"]]
    assert queue["appeals"][0]["decision"]["statement"]["code"] == "moderator.spam"
    appeal_id = queue["appeals"][0]["id"]
    decisions = f"/api/v1/moderation/appeals/{appeal_id}/decisions"
    bad = client.post(decisions, json={"action": "maybe", "reason": "x"},
                      headers=bearer(accounts["ada"]))
    assert bad.status_code == 422 and "action" in bad.json["message"]
    own = client.post(decisions, json={"action": "overturn", "reason": "fine"},
                      headers=bearer(accounts["mia"]))
    assert (own.status_code, own.json["error"]) == (403, "own_decision")

    overturned = client.post(decisions, json={"action": "overturn", "reason": "Fair comment."},
                             headers=bearer(accounts["ada"]))

    assert overturned.status_code == 201, overturned.json
    assert overturned.json["status"] == "overturned"
    mine = as_author(client, answer).json
    assert mine["status"] == "approved"
    assert mine["reason"]["code"] == "appeal.overturned"
    assert mine["appeal"]["status"] == "overturned" and mine["appeal"]["reason"] == "Fair comment."
    assert [c["id"] for c in client.get(THREAD).json["comments"]] == [answer["id"]]
    assert client.post(decisions, json={"action": "uphold", "reason": "x"},
                       headers=bearer(accounts["ada"])).status_code == 409
    assert "appeal.overturned" in audit_actions(app, "ada")
    types = event_types(app)
    assert types.index("comment.appealed") < types.index("appeal.decided")
    assert types[-2:] == ["comment.approved", "appeal.decided"]


def test_an_upheld_appeal_keeps_the_comment_unpublished(app, client, accounts):
    answer = post(client, "Something the moderators did not like.")
    drain(app)
    decide(client, accounts["mia"], answer["id"], "reject", "offensive")
    client.post(f"/api/v1/comments/{answer['id']}/appeals", json={"message": "Why?"},
                headers={"X-Author-Token": answer["author_token"]})
    appeal_id = client.get("/api/v1/moderation/appeals",
                           headers=bearer(accounts["ada"])).json["appeals"][0]["id"]

    upheld = client.post(f"/api/v1/moderation/appeals/{appeal_id}/decisions",
                         json={"action": "uphold", "reason": "It insults a reader."},
                         headers=bearer(accounts["ada"]))

    assert upheld.status_code == 201
    appeal = as_author(client, answer).json["appeal"]
    assert appeal["status"] == "upheld" and appeal["open"] is False
    assert appeal["text"] == "A moderator reviewed your appeal and kept the decision."
    assert client.get(f"/api/v1/comments/{answer['id']}").json["status"] == "rejected"
    assert "appeal.upheld" in audit_actions(app, "ada")


def test_only_rejected_comments_within_the_window_can_be_appealed(app, client, accounts):
    held = post(client, "Still waiting.")
    drain(app)
    url = f"/api/v1/comments/{held['id']}/appeals"
    headers = {"X-Author-Token": held["author_token"]}
    assert client.post(url, json={"message": "hi"}, headers=headers).json["error"] == (
        "not_rejected")
    decide(client, accounts["mia"], held["id"], "reject", "other")
    assert client.post(url, json={"message": ""}, headers=headers).status_code == 422
    assert client.post(url, json={"message": 5}, headers=headers).status_code == 422
    with app.app_context(), db.transaction() as session:
        save_reader_settings(session, ReaderSettings(appeal_days=1), by="test")
        from service.comments.models import Decision
        for decision in session.scalars(select(Decision)):
            decision.created_at -= timedelta(days=2)
    closed = client.post(url, json={"message": "late"}, headers=headers)
    assert (closed.status_code, closed.json["error"]) == (409, "appeal_closed")
    assert as_author(client, held).json["appeal"]["open"] is False


def test_three_readers_reports_hold_a_published_comment_until_dismissed(app, client, accounts):
    answer = post(client, "A published opinion.")
    drain(app)
    decide(client, accounts["mia"], answer["id"], "approve")
    comment_id = answer["id"]

    first = report(client, comment_id, "10.0.1.1", "spam")
    twice = report(client, comment_id, "10.0.1.1", "abusive")
    second = report(client, comment_id, "10.0.2.1")
    assert first.status_code == twice.status_code == 202
    assert (first.json["counted"], twice.json["counted"]) == (True, False)
    assert second.json["status"] == "approved"
    assert client.get(THREAD).json["comments"], "two readers do not hide it"

    third = report(client, comment_id, "10.0.3.1")

    assert third.json["status"] == "held"
    assert client.get(THREAD).json["comments"] == []
    mine = as_author(client, answer).json
    assert mine["reason"] == {"code": "reported",
                              "text": "Readers reported it; a moderator will read it."}
    queue = client.get("/api/v1/moderation/queue", headers=bearer(accounts["mia"])).json
    assert comment_id in [item["id"] for item in queue["comments"]]
    listed = client.get("/api/v1/moderation/reported", headers=bearer(accounts["mia"])).json
    assert listed["comments"][0]["id"] == comment_id
    assert listed["comments"][0]["reasons"] == {"abusive": 2, "spam": 1}
    full = client.get(f"/api/v1/moderation/comments/{comment_id}",
                      headers=bearer(accounts["mia"])).json
    assert full["decisions"][-1]["reason"] == "reported by readers: abusive x2, spam x1"

    dismissed = client.post(f"/api/v1/moderation/comments/{comment_id}/reports/dismissal",
                            headers=bearer(accounts["mia"]))

    assert dismissed.status_code == 200, dismissed.json
    assert dismissed.json == {"comment_id": comment_id, "dismissed": 3, "status": "approved"}
    assert [c["id"] for c in client.get(THREAD).json["comments"]] == [comment_id]
    assert client.get("/api/v1/moderation/reported",
                      headers=bearer(accounts["mia"])).json["comments"] == []
    assert "reports.dismissed" in audit_actions(app, "mia")
    assert event_types(app).count("comment.reported") == 3
    assert "reports.dismissed" in event_types(app)
    assert client.post(f"/api/v1/moderation/comments/{comment_id}/reports/dismissal",
                       headers=bearer(accounts["mia"])).status_code == 409


def test_reports_of_unpublished_comments_or_bad_reports_are_refused(app, client):
    answer = post(client, "Not published yet.")
    url = f"/api/v1/comments/{answer['id']}/reports"
    assert client.post(url, json={"reason": "spam"}).json["error"] == "not_published"
    assert client.post(url, json={"reason": "boring"}).status_code == 422
    assert client.post(url, json={"reason": "spam", "extra": 1}).status_code == 422
    assert client.post(url, data="nope", content_type="application/json").status_code == 400
    assert client.post(f"/api/v1/comments/{uuid.uuid4()}/reports",
                       json={"reason": "spam"}).status_code == 404


def test_the_sites_reports_to_hold_applies(app, client, accounts):
    with app.app_context(), db.transaction() as session:
        save_reader_settings(session, ReaderSettings(reports_to_hold=1), by="test")
    answer = post(client, "One report is enough here.")
    drain(app)
    decide(client, accounts["mia"], answer["id"], "approve")
    assert report(client, answer["id"], "10.0.0.9", "off_topic").json["status"] == "held"


def test_moderation_appeal_routes_refuse_bad_input(client, accounts):
    headers = bearer(accounts["ada"])
    assert client.post("/api/v1/moderation/appeals/12/decisions",
                       json={"action": "uphold", "reason": "x"}, headers=headers).status_code == 404
    assert client.post("/api/v1/moderation/appeals/abc/decisions",
                       json={"action": "uphold", "reason": "x"}, headers=headers).status_code == 404
    # An appeal out of reach is looked up before the body is read: 404, not 422.
    assert client.post("/api/v1/moderation/appeals/1/decisions",
                       json={"action": "maybe", "reason": "x"}, headers=headers).status_code == 404
    assert client.get("/api/v1/moderation/appeals?status=lost", headers=headers).status_code == 422
    assert client.get("/api/v1/moderation/appeals").status_code == 401


def _appealed(app, client, accounts) -> dict:
    answer = post(client, "The parking fees are a scandal, again.")
    drain(app)
    decide(client, accounts["mia"], answer["id"], "reject", "spam: looks like an advert")
    appealed = client.post(f"/api/v1/comments/{answer['id']}/appeals",
                           json={"message": "It is my honest opinion."},
                           headers={"X-Author-Token": answer["author_token"]})
    assert appealed.status_code == 202, appealed.json
    return answer


def test_the_moderator_under_appeal_cannot_reverse_the_decision_directly(app, client,
                                                                         accounts):
    answer = _appealed(app, client, accounts)
    url = f"/api/v1/moderation/comments/{answer['id']}/decisions"
    own = client.post(url, json={"action": "approve", "reason": "on second thought"},
                      headers=bearer(accounts["mia"]))
    assert (own.status_code, own.json["error"]) == (403, "own_decision")
    bulk = client.post("/api/v1/moderation/decisions", headers=bearer(accounts["mia"]),
                       json={"action": "approve", "comment_ids": [answer["id"]]})
    assert (bulk.status_code, bulk.json["error"]) == (403, "own_decision")
    assert as_author(client, answer).json["status"] == "rejected"
    assert as_author(client, answer).json["appeal"]["status"] == "open"


def test_another_moderator_s_reversal_settles_the_appeal(app, client, accounts):
    answer = _appealed(app, client, accounts)
    url = f"/api/v1/moderation/comments/{answer['id']}/decisions"
    published = client.post(url, json={"action": "approve", "reason": "Fair comment."},
                            headers=bearer(accounts["ada"]))
    assert published.status_code == 201, published.json
    mine = as_author(client, answer).json
    assert mine["status"] == "approved" and mine["reason"]["code"] == "appeal.overturned"
    assert mine["appeal"]["status"] == "overturned" and mine["appeal"]["reason"] == "Fair comment."
    assert client.get("/api/v1/moderation/appeals",
                      headers=bearer(accounts["ada"])).json["appeals"] == []
    assert event_types(app)[-2:] == ["comment.approved", "appeal.decided"]
    assert "appeal.overturned" in audit_actions(app, "ada")


def test_the_author_of_a_comment_in_another_language_is_told_so(app, client):
    answer = post(client, "Je pense que le gouvernement devrait écouter les citoyens.")
    drain(app)
    mine = as_author(client, answer).json
    assert mine["status"] == "held" and mine["reason"]["code"] == "language"
    assert "language our automated check does not read" in mine["reason"]["text"]
