"""End to end with two sites whose policies differ: the real worker (tiny checkpoint)
approves a comment on one site and holds the same comment on the other, each decision
recording its site's policy; a moderator of one site gets 404 on the other's comment;
the dashboard's settings page edits the site chosen with the switcher."""

from __future__ import annotations

from service import db
from service.accounts.models import AuditEntry
from service.accounts.services import add_moderator
from service.policy import LABELS
from service.sites.services import current_policy, site_by_slug
from tests.support.accounts import PASSWORD, add, bearer, csrf_token, log_in, token_for
from tests.support.sites import add_site
from tests.support.work import drain

NEVER = {"hold": dict.fromkeys(LABELS, 1.0), "reject": dict.fromkeys(LABELS, 1.0)}
"""Thresholds no score of the tiny model reaches: only words decide."""
TEXT = "The parking fees went up again this spring."


def test_the_same_comment_is_approved_on_one_site_and_held_on_the_other(app, client):
    add_site(app, "calm", policy=NEVER)
    add_site(app, "strict", policy=NEVER | {"suspect_words": ["parking fees"]})
    add(app, "ada", role="admin")
    with app.app_context(), db.transaction() as session:
        add_moderator(session, "cal", PASSWORD, "moderator", sites=["calm"])
    ids = {}
    for site in ("calm", "strict"):
        response = client.post(f"/api/v1/sites/{site}/threads/budget/comments",
                               json={"body": TEXT, "author": "Reader"})
        assert response.status_code == 202, response.json
        ids[site] = response.json["id"]

    drain(app)

    assert client.get(f"/api/v1/comments/{ids['calm']}").json["status"] == "approved"
    assert client.get(f"/api/v1/comments/{ids['strict']}").json["status"] == "held"
    listed = client.get("/api/v1/sites/calm/threads/budget/comments").json
    assert [comment["id"] for comment in listed["comments"]] == [ids["calm"]]
    assert client.get("/api/v1/sites/strict/threads/budget/comments").json["comments"] == []
    ada = bearer(token_for(app, "ada"))
    decisions = {site: client.get(f"/api/v1/moderation/comments/{comment_id}",
                                  headers=ada).json["decisions"][0]
                 for site, comment_id in ids.items()}
    assert decisions["calm"]["thresholds"]["site"] == "calm"
    assert decisions["strict"]["thresholds"]["site"] == "strict"
    assert decisions["strict"]["thresholds"]["suspect_words"] == ["parking fees"]
    assert "suspect_words" not in decisions["calm"]["thresholds"]
    assert "parking fees" in decisions["strict"]["reason"]

    cal = bearer(token_for(app, "cal"))
    assert client.get(f"/api/v1/moderation/comments/{ids['calm']}",
                      headers=cal).status_code == 200
    hidden = client.get(f"/api/v1/moderation/comments/{ids['strict']}", headers=cal)
    assert hidden.status_code == 404 and hidden.json["error"] == "not_found"
    refused = client.post(f"/api/v1/moderation/comments/{ids['strict']}/decisions",
                          json={"action": "approve"}, headers=cal)
    assert refused.status_code == 404
    assert client.get(f"/api/v1/comments/{ids['strict']}").json["status"] == "held"
    assert log_in(client, "cal").status_code == 302
    assert client.get(f"/dashboard/comments/{ids['strict']}").status_code == 404
    assert client.get(f"/dashboard/comments/{ids['calm']}").status_code == 200


def test_the_settings_page_edits_the_site_chosen_with_the_switcher(app, admin_client):
    add_site(app, "strict")
    token = csrf_token(admin_client, "/dashboard/settings")
    assert "Settings of Default" in admin_client.get("/dashboard/settings").text
    admin_client.post("/dashboard/site", data={"csrf_token": token, "site": "strict"})
    page = admin_client.get("/dashboard/settings").text
    assert "Settings of Strict" in page

    saved = admin_client.post("/dashboard/settings", data={
        "csrf_token": token, "target": "queue 2%", "hold_everything": "on", "banned_words": "",
        "suspect_words": "", "allowed_origins": "https://strict.example"})

    assert saved.status_code == 303
    with app.app_context():
        session = db.session()
        strict = site_by_slug(session, "strict")
        assert strict is not None and strict.origins == ["https://strict.example"]
        assert current_policy(session, app.config, strict.id).hold_everything
        assert not current_policy(session, app.config).hold_everything
        entry = session.query(AuditEntry).filter_by(action="settings.changed").one()
        assert entry.subject == "site strict" and entry.actor == "ada"


def test_each_site_holds_reported_comments_at_its_own_reports_to_hold(app, client):
    add_site(app, "touchy", policy=NEVER | {"reports_to_hold": 1})
    add_site(app, "relaxed", policy=NEVER)
    ids = {site: client.post(f"/api/v1/sites/{site}/threads/t/comments",
                             json={"body": "An opinion.", "author": "Reader"}).json["id"]
           for site in ("touchy", "relaxed")}
    drain(app)

    for comment_id in ids.values():
        assert client.get(f"/api/v1/comments/{comment_id}").json["status"] == "approved"
        reported = client.post(f"/api/v1/comments/{comment_id}/reports",
                               json={"reason": "abusive"})
        assert reported.status_code == 202

    assert client.get(f"/api/v1/comments/{ids['touchy']}").json["status"] == "held"
    assert client.get(f"/api/v1/comments/{ids['relaxed']}").json["status"] == "approved"


def test_the_settings_page_sets_the_sites_readers_options(app, admin_client):
    add_site(app, "strict")
    token = csrf_token(admin_client, "/dashboard/settings")
    admin_client.post("/dashboard/site", data={"csrf_token": token, "site": "strict"})
    assert 'name="site" value="strict"' in admin_client.get("/dashboard/settings").text

    saved = admin_client.post("/dashboard/settings/site", data={
        "csrf_token": token, "site": "strict", "name": "Strict desk", "locale": "fr",
        "new_commenter_premoderation": "2"})
    refused = admin_client.post("/dashboard/settings/site", data={
        "csrf_token": token, "site": "strict", "name": "", "locale": "fr",
        "new_commenter_premoderation": "2"}, follow_redirects=True)

    assert saved.status_code == 303
    assert "nothing was saved: name" in refused.text
    with app.app_context():
        strict = site_by_slug(db.session(), "strict")
        assert strict is not None and strict.name == "Strict desk" and strict.locale == "fr"
        assert strict.anonymous_allowed is False and strict.new_commenter_premoderation == 2
        entry = db.session().query(AuditEntry).filter_by(action="settings.changed").one()
        assert entry.details["changes"]["anonymous_allowed"] == [True, False]
