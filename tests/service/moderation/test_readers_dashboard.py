"""The dashboard's reported and appeals views: reasons shown, reports dismissed, appeals
decided by another moderator, everything escaped and audited."""

from __future__ import annotations

from tests.support.accounts import audit_actions, bearer, csrf_token
from tests.support.work import drain

THREAD = "/api/v1/threads/city-budget/comments"
HOSTILE = '<img src=x onerror="alert(1)"> my view'


def published(app, client, accounts, body: str = HOSTILE) -> dict:
    answer = client.post(THREAD, json={"body": body, "author": "Reader"}).json
    drain(app)
    client.post(f"/api/v1/moderation/comments/{answer['id']}/decisions",
                json={"action": "approve", "reason": ""}, headers=bearer(accounts["mia"]))
    return answer


def test_reported_comments_show_their_reasons_and_dismissing_publishes_again(
        app, client, accounts, moderator_client):
    answer = published(app, client, accounts)
    for number, reason in enumerate(("spam", "abusive", "abusive")):
        client.post(f"/api/v1/comments/{answer['id']}/reports",
                    json={"reason": reason, "note": "<b>bold</b> claim" if number else ""},
                    environ_base={"REMOTE_ADDR": f"10.0.{number + 1}.1"})

    page = moderator_client.get("/dashboard/reported").text
    queue = moderator_client.get("/dashboard/queue").text

    assert "3 reports:" in page and "abusive \u00d72" in page and "spam \u00d71" in page
    assert "&lt;img src=x" in page and "<img src=x" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; claim" in page
    assert "Dismiss reports and publish" in page
    assert "Readers: reported by readers: abusive x2, spam x1" in queue
    token = csrf_token(moderator_client, "/dashboard/reported")
    response = moderator_client.post(f"/dashboard/reported/{answer['id']}/dismissal",
                                     data={"csrf_token": token, "note": "fair comment"})
    assert response.status_code == 303
    assert client.get(f"/api/v1/comments/{answer['id']}").json["status"] == "approved"
    assert "No comment has reports waiting." in moderator_client.get("/dashboard/reported").text
    assert "reports.dismissed" in audit_actions(app, "mia")
    again = moderator_client.post(f"/dashboard/reported/{answer['id']}/dismissal",
                                  data={"csrf_token": token}, follow_redirects=True)
    assert "no reports to dismiss" in again.text


def test_an_appeal_is_decided_from_the_dashboard_by_another_moderator(
        app, client, accounts, moderator_client, admin_client):
    answer = client.post(THREAD, json={"body": HOSTILE, "author": "Reader"}).json
    drain(app)
    client.post(f"/api/v1/moderation/comments/{answer['id']}/decisions",
                json={"action": "reject", "reason": "offensive"}, headers=bearer(accounts["mia"]))
    client.post(f"/api/v1/comments/{answer['id']}/appeals", json={"message": "<i>please</i>"},
                headers={"X-Author-Token": answer["author_token"]})

    own = moderator_client.get("/dashboard/appeals").text
    other = admin_client.get("/dashboard/appeals").text

    assert "1 open appeal" in own
    assert "You took this decision; another moderator decides the appeal." in own
    assert "Overturn and publish" not in own
    assert "&lt;i&gt;please&lt;/i&gt;" in other and "<i>please</i>" not in other
    assert "The author was told: A moderator found it offensive." in other
    appeal_id = client.get("/api/v1/moderation/appeals",
                           headers=bearer(accounts["ada"])).json["appeals"][0]["id"]
    refused = moderator_client.post(
        f"/dashboard/appeals/{appeal_id}/decision", follow_redirects=True,
        data={"csrf_token": csrf_token(moderator_client, "/dashboard/appeals"),
              "action": "overturn", "reason": "mine"})
    assert "another moderator decides the appeal" in refused.text
    token = csrf_token(admin_client, "/dashboard/appeals")
    empty = admin_client.post(f"/dashboard/appeals/{appeal_id}/decision", follow_redirects=True,
                              data={"csrf_token": token, "action": "overturn", "reason": ""})
    assert "Nothing was decided" in empty.text

    done = admin_client.post(f"/dashboard/appeals/{appeal_id}/decision", follow_redirects=True,
                             data={"csrf_token": token, "action": "overturn",
                                   "reason": "Sharp, not offensive."})

    assert "Appeal overturned; the author is told." in done.text
    assert client.get(f"/api/v1/comments/{answer['id']}").json["status"] == "approved"
    assert "appeal.overturned" in audit_actions(app, "ada")
    decided = admin_client.get("/dashboard/appeals?status=overturned").text
    assert "Overturned by <b>ada</b>" in decided
    assert admin_client.get("/dashboard/appeals?status=nope").status_code == 400


def test_the_views_need_a_login_and_are_in_the_navigation(client, moderator_client):
    assert client.get("/dashboard/reported").status_code == 302
    assert client.get("/dashboard/appeals").status_code == 302
    page = moderator_client.get("/dashboard/queue").text
    assert 'href="/dashboard/reported"' in page and 'href="/dashboard/appeals"' in page
