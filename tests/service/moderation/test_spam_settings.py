"""Admins set the spam rules in the settings page's own fieldset; changes are audited."""

from __future__ import annotations

from sqlalchemy import select

from service import db
from service.accounts.models import AuditEntry
from service.comments.readers import ReaderSettings, reader_settings
from service.comments.spam import SpamSettings, spam_settings
from tests.support.accounts import csrf_token

DEFAULTS = {key: str(value) if not isinstance(value, list) else "\n".join(value)
            for key, value in SpamSettings().model_dump().items()}


def save(admin_client, **fields):
    token = csrf_token(admin_client, "/dashboard/settings")
    return admin_client.post("/dashboard/settings/spam",
                             data=DEFAULTS | {"csrf_token": token} | fields)


def test_the_settings_page_shows_the_spam_rules_in_force(admin_client):
    page = admin_client.get("/dashboard/settings").text
    assert 'action="/dashboard/settings/spam"' in page
    assert '<option value="hold" selected>hold</option>' in page
    assert "spam.near_duplicate" in page and 'name="similarity" value="0.6"' in page


def test_saving_the_spam_rules_applies_them_and_is_audited(app, admin_client, client):
    response = save(admin_client, shortener="reject", max_links="5",
                    allowed_domains="www.example.org\nnews.example.com")
    assert response.status_code == 303

    with app.app_context():
        saved = spam_settings(db.session())
        entry = db.session().scalars(select(AuditEntry).where(
            AuditEntry.action == "settings.changed")).one()
    assert (saved.shortener, saved.max_links) == ("reject", 5)
    assert saved.allowed_domains == ["example.org", "news.example.com"]
    assert entry.actor == "ada"
    assert entry.details["changes"]["spam.shortener"] == ["hold", "reject"]
    assert "spam.links" not in entry.details["changes"], "only what changed"
    posted = client.post("/api/v1/threads/t/comments",
                         json={"author": "Bo", "body": "Prize at tinyurl.com/x claim now"})
    assert posted.json["status"] == "rejected"
    assert save(admin_client, shortener="reject", max_links="5",
                allowed_domains="example.org news.example.com").status_code == 303
    assert "nothing changed" in admin_client.get("/dashboard/settings").text


def test_invalid_spam_rules_are_refused_with_400_and_nothing_saved(app, admin_client):
    response = save(admin_client, links="sometimes", flood_threads="-3")

    assert response.status_code == 400
    assert "nothing was saved" in response.text
    with app.app_context():
        assert spam_settings(db.session()) == SpamSettings()


def test_moderators_may_not_change_the_spam_rules(moderator_client):
    token = csrf_token(moderator_client, "/dashboard/queue")
    response = moderator_client.post("/dashboard/settings/spam",
                                     data=DEFAULTS | {"csrf_token": token, "links": "off"})
    assert response.status_code in (403, 404)


def test_reports_to_hold_and_appeal_days_are_set_on_the_settings_page(app, admin_client):
    page = admin_client.get("/dashboard/settings").text
    assert 'name="reports_to_hold" min="1" max="100" value="3"' in page
    token = csrf_token(admin_client, "/dashboard/settings")

    saved = admin_client.post("/dashboard/settings/readers", data={
        "csrf_token": token, "reports_to_hold": "5", "appeal_days": "30"})
    refused = admin_client.post("/dashboard/settings/readers", data={
        "csrf_token": token, "reports_to_hold": "0", "appeal_days": "30"})

    assert saved.status_code == 303
    assert refused.status_code == 400 and "nothing was saved" in refused.text
    with app.app_context():
        assert reader_settings(db.session()) == ReaderSettings(reports_to_hold=5, appeal_days=30)
        entry = db.session().scalars(select(AuditEntry).where(
            AuditEntry.action == "settings.changed")).one()
    assert entry.details["changes"] == {"readers.reports_to_hold": [3, 5],
                                        "readers.appeal_days": [14, 30]}
