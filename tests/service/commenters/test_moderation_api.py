"""The commenters' and threads' moderation API: per-site access (other sites are 404),
standing and notes (audited), history and counts, GDPR export and erasure."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from service import db
from service.accounts.models import AuditEntry
from service.comments.models import Comment, Event
from tests.service.commenters.conftest import signed, sso_secret
from tests.support.accounts import bearer
from tests.support.work import drain

pytestmark = pytest.mark.postgres
URL = "/api/v1/threads/city-budget/comments"
COMMENTER = "/api/v1/moderation/sites/default/commenters/u-1"
THREAD = "/api/v1/moderation/sites/default/threads/city-budget"


def _post(client, app, body: str, **claims) -> str:
    response = client.post(URL, json={"body": body}, headers=signed(sso_secret(app), **claims))
    assert response.status_code == 202, response.json
    return response.json["id"]


def test_a_moderator_of_another_site_gets_404_on_every_route(app, client, tokens):
    _post(client, app, "Hello.")
    otto, mia = bearer(tokens["otto"]), bearer(tokens["mia"])
    calls = [("get", COMMENTER, None), ("patch", COMMENTER, {"status": "banned"}),
             ("get", THREAD, None), ("patch", THREAD, {"closed": True})]
    for method, url, body in calls:
        response = client.open(url, method=method.upper(), json=body, headers=otto)
        assert response.status_code == 404, (method, url)
        assert response.json["error"] == "site_not_found"
        assert client.open(url, method=method.upper(), json=body,
                           headers=mia).status_code == 200, (method, url)
    # Nothing changed by the refused calls: the last PATCHes were mia's.
    with app.app_context():
        actors = set(db.session().scalars(select(AuditEntry.actor).where(
            AuditEntry.action.in_(["commenter.status", "thread.updated"]))))
    assert actors == {"mia"}
    # The admin sees every site; an unknown site or commenter is 404 too.
    admin = bearer(tokens["ada"])
    assert client.get(COMMENTER, headers=admin).status_code == 200
    assert client.get("/api/v1/moderation/sites/nope/commenters/u-1",
                      headers=admin).json["error"] == "site_not_found"
    assert client.get("/api/v1/moderation/sites/default/commenters/nobody",
                      headers=admin).json["error"] == "commenter_not_found"
    # Export and erasure are the admins'.
    assert client.get(COMMENTER + "/export", headers=mia).status_code == 403
    assert client.delete(COMMENTER, headers=mia).status_code == 403
    assert client.get("/api/v1/moderation/sites/other/commenters/u-1/export",
                      headers=admin).status_code == 404


def test_standing_notes_history_and_counts(app, client, tokens):
    first = _post(client, app, "A first comment.")
    _post(client, app, "A second comment.")
    drain(app)
    mia = bearer(tokens["mia"])
    client.post(f"/api/v1/comments/{first}/reports", json={"reason": "spam"})
    decided = client.post(f"/api/v1/moderation/comments/{first}/decisions",
                          json={"action": "reject", "reason": "spam: advert"}, headers=mia)
    assert decided.status_code == 201, decided.json
    change = client.patch(COMMENTER, json={"status": "premoderated", "note": "Adverts."},
                          headers=mia)
    assert change.status_code == 200
    assert change.json["status"] == "premoderated" and change.json["updated_by"] == "mia"

    profile = client.get(COMMENTER, headers=mia).json
    assert profile["counts"]["comments"] == 2 and profile["counts"]["rejected"] == 1
    assert profile["counts"]["approved"] == 1 and profile["counts"]["reports"] == 1
    assert profile["counts"]["decisions"] == 3  # the model's two and mia's
    rejected = next(c for c in profile["comments"] if c["id"] == first)
    assert [d["actor"] for d in rejected["decisions"]] == ["model", "mia"]
    assert rejected["reports"][0]["reason"] == "spam"
    assert profile["notes"][0]["note"] == "Adverts." and profile["notes"][0]["actor"] == "mia"
    assert profile["notes"][0]["details"]["to"] == "premoderated"


@pytest.mark.parametrize("body", [{}, {"status": "royalty"}, {"note": "x" * 2001},
                                  {"status": None, "note": None}, {"closed": True}])
def test_a_bad_standing_change_is_422(app, client, tokens, body):
    _post(client, app, "Hello.")
    response = client.patch(COMMENTER, json=body, headers=bearer(tokens["mia"]))
    assert response.status_code == 422, response.json


@pytest.mark.parametrize("body", [{}, {"closed": None}, {"closed": "yes"},
                                  {"url": "ftp://x"}, {"title": ""}, {"status": "banned"}])
def test_a_bad_thread_change_is_422(client, tokens, body):
    response = client.patch(THREAD, json=body, headers=bearer(tokens["mia"]))
    assert response.status_code == 422, response.json


def test_a_thread_can_be_renamed_closed_in_advance_and_counted(app, client, tokens):
    mia = bearer(tokens["mia"])
    response = client.patch("/api/v1/moderation/sites/default/threads/tomorrow", headers=mia,
                            json={"closed": True, "title": "Tomorrow's story",
                                  "url": "https://news.example.com/tomorrow"})
    assert response.status_code == 200, response.json
    assert response.json["title"] == "Tomorrow's story" and response.json["counts"] == {}
    assert client.post("/api/v1/threads/tomorrow/comments",
                       json={"body": "Early!", "author": "Ann"}).status_code == 403
    _post(client, app, "Counted.")
    counted = client.get(THREAD, headers=mia).json
    assert counted["counts"] == {"pending": 1} and counted["closed"] is False


def test_export_gives_their_comments_and_decisions(app, client, tokens):
    first = _post(client, app, "Mine, to export.")
    _post(client, app, "Someone else's.", sub="u-2", name="Bob")
    drain(app)
    response = client.get(COMMENTER + "/export", headers=bearer(tokens["ada"]))
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.json
    assert (data["sub"], data["name"]) == ("u-1", "Ann Reader")
    assert [c["body"] for c in data["comments"]] == ["Mine, to export."]
    assert data["comments"][0]["id"] == first
    assert data["comments"][0]["decisions"][0]["actor"] == "model"


def test_erasure_removes_text_and_name_and_keeps_an_anonymous_trace(app, client, tokens):
    erased_id = _post(client, app, "Something personal about me.")
    kept_id = _post(client, app, "Bob's comment.", sub="u-2", name="Bob")
    drain(app)
    client.patch(COMMENTER, json={"note": "Asked for erasure by mail."},
                 headers=bearer(tokens["mia"]))
    response = client.delete(COMMENTER, headers=bearer(tokens["ada"]))
    assert response.status_code == 200, response.json
    assert response.json["comments_erased"] == 1
    assert client.get(COMMENTER, headers=bearer(tokens["ada"])).status_code == 404
    with app.app_context():
        session = db.session()
        erased = session.get(Comment, uuid.UUID(erased_id))
        assert (erased.body, erased.author) == ("", "[erased]")
        assert [d.outcome for d in erased.decisions] == ["approved"]  # the trace stays
        kept = session.get(Comment, uuid.UUID(kept_id))
        assert kept.body == "Bob's comment."
        payloads = [e.payload for e in session.scalars(select(Event).where(
            Event.comment_id == erased.id))]
        assert payloads and all(p["comment"]["body"] == "" for p in payloads)
        entries = list(session.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(["commenter.status", "commenter.erased"]))))
        assert [e.action for e in entries] == ["commenter.status", "commenter.erased"]
        text = repr([(e.subject, e.details, e.reason) for e in entries])
        assert "Ann Reader" not in text and "u-1" not in text
    # The public listing shows the erased comment's new author and no text.
    listed = {c["id"]: c for c in client.get(URL).json["comments"]}
    assert listed[erased_id]["body"] == "" and listed[erased_id]["author"] == "[erased]"
    # Signing in again with the same sub makes a new, empty commenter.
    _post(client, app, "Back again.")
    assert client.get(COMMENTER, headers=bearer(tokens["ada"])).json["counts"]["comments"] == 1


def test_the_queue_api_gives_each_comment_its_thread_and_commenter(app, client, tokens):
    client.patch("/api/v1/moderation/sites/default/threads/city-budget",
                 json={"title": "City budget", "url": "https://news.example.com/budget"},
                 headers=bearer(tokens["mia"]))
    response = client.post(URL, json={"body": "Signed."}, headers=signed(sso_secret(app)))
    assert response.status_code == 202
    client.post(URL, json={"body": "Anonymous.", "author": "Bob"})
    queue = client.get("/api/v1/moderation/queue?status=pending",
                       headers=bearer(tokens["mia"])).json["comments"]
    by_body = {item["body"]: item for item in queue}
    assert by_body["Signed."]["commenter"] == "u-1"
    assert by_body["Anonymous."]["commenter"] is None
    assert by_body["Signed."]["thread"] == {
        "id": "city-budget", "title": "City budget", "url": "https://news.example.com/budget",
        "closed": False, "counts": {"pending": 2}}
    one = client.get(f"/api/v1/moderation/comments/{response.json['id']}",
                     headers=bearer(tokens["mia"])).json
    assert one["thread"]["title"] == "City budget" and one["commenter"] == "u-1"


def test_a_site_s_threads_are_listed_with_counts_the_most_held_first(app, client, tokens):
    client.post("/api/v1/threads/quiet/comments", json={"body": "Fine.", "author": "Bob"})
    client.patch("/api/v1/moderation/sites/default/threads/busy", json={"premoderation": True},
                 headers=bearer(tokens["mia"]))
    for body in ("One.", "Two."):
        client.post("/api/v1/threads/busy/comments", json={"body": body, "author": "Cy"})
    drain(app)
    listed = client.get("/api/v1/moderation/sites/default/threads",
                        headers=bearer(tokens["mia"])).json
    assert [thread["id"] for thread in listed["threads"]] == ["busy", "quiet"]
    assert listed["threads"][0]["counts"] == {"held": 2}
    assert listed["threads"][0]["premoderation"] is True
    assert client.get("/api/v1/moderation/sites/default/threads",
                      headers=bearer(tokens["otto"])).status_code == 404
