"""Admins' settings: thresholds, pre-moderation, word lists and widget origins."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from service import db
from service.accounts.models import AuditEntry
from service.comments.models import Decision
from service.policy import CHOICES, DEFAULT_TARGET, LABELS, TARGETS, Policy
from tests.support.accounts import csrf_token, scored, status

NEVER = dict.fromkeys(LABELS, "1")
ALWAYS = dict.fromkeys(LABELS, "0")


def form(token, hold=NEVER, reject=NEVER, **fields):
    data = {"csrf_token": token, "banned_words": "", "suspect_words": "", "allowed_origins": ""}
    data |= {f"hold-{label}": value for label, value in hold.items()}
    data |= {f"reject-{label}": value for label, value in reject.items()}
    return data | fields


def save(admin_client, **fields):
    token = csrf_token(admin_client, "/dashboard/settings")
    return admin_client.post("/dashboard/settings", data=form(token, **fields))


def test_a_threshold_change_applies_to_the_next_comment_scored(app, client, admin_client):
    before = scored(app, client, "Held under the configured thresholds.")[0]
    assert status(client, before) == "held"

    response = save(admin_client, hold=ALWAYS, reject=ALWAYS)
    assert response.status_code == 303

    after = scored(app, client, "Rejected under the admin's thresholds.")[0]
    assert status(client, after) == "rejected"
    assert status(client, before) == "held", "a decided comment is not decided again"
    with app.app_context():
        entry = db.session().scalars(select(AuditEntry).where(
            AuditEntry.action == "settings.changed")).one()
    assert entry.actor == "ada"
    assert entry.details["changes"]["reject.toxicity"] == [1.0, 0.0]
    assert "hold.toxicity" not in entry.details["changes"], "only what changed"
    page = admin_client.get("/dashboard/audit?action=settings.changed").text
    assert "<code>reject.toxicity</code>: 1.0 → 0.0" in page


def test_pre_moderation_holds_what_would_be_published(app, client, admin_client):
    save(admin_client)
    assert status(client, scored(app, client, "Published at once.")[0]) == "approved"
    save(admin_client, hold_everything="on")
    assert status(client, scored(app, client, "Waits for a person.")[0]) == "held"


def test_banned_words_reject_and_suspect_words_hold(app, client, admin_client):
    response = save(admin_client, banned_words="cheap pills\nCasino", suspect_words="refund")
    assert response.status_code == 303
    banned, phrase, suspect, clean, partial = scored(
        app, client, "Visit my CASINO tonight.", "Cheap   pills, delivered.",
        "I want a Refund!", "The budget vote is on Monday.", "Casinos and refunding aside.")
    assert [status(client, comment_id) for comment_id in
            (banned, phrase, suspect, clean, partial)] == [
        "rejected", "rejected", "held", "approved", "approved"]
    page = admin_client.get(f"/dashboard/comments/{banned}").text
    assert "banned word: Casino" in page


def test_allowed_origins_take_effect_for_the_widget(app, client, admin_client):
    origin = "https://news.example.com"
    thread = "/api/v1/threads/city-budget/comments"
    refused = client.get(thread, headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert save(admin_client, allowed_origins=f"{origin}/\n").status_code == 303
    answer = client.get(thread, headers={"Origin": origin})
    assert answer.headers["Access-Control-Allow-Origin"] == origin
    assert origin in admin_client.get("/dashboard/settings").text


def test_bad_settings_are_refused_with_the_reason_and_nothing_changes(app, client, admin_client):
    cases = [
        ({"hold": NEVER | {"toxicity": "1.5"}}, "hold.toxicity: Input should be less than"),
        ({"hold": NEVER | {"toxicity": "lots"}}, "hold.toxicity: Input should be a valid number"),
        ({"hold": NEVER, "reject": NEVER | {"insult": "0.1"}},
         "the hold threshold of insult is above its reject threshold"),
        ({"allowed_origins": "news.example.com"}, "is not an origin like"),
        ({"banned_words": "x" * 101}, "is longer than 100 characters"),
    ]
    for fields, message in cases:
        response = save(admin_client, **fields)
        assert response.status_code == 400, fields
        assert message in response.text.replace("&#39;", "'"), fields
    assert status(client, scored(app, client, "Still held.")[0]) == "held"
    with app.app_context():
        assert not db.session().scalars(select(AuditEntry).where(
            AuditEntry.action == "settings.changed")).all()


def test_saving_what_is_in_force_changes_nothing(app, admin_client):
    page = admin_client.get("/dashboard/settings").text
    assert 'name="hold-toxicity" value="0.0"' in page
    response = save(admin_client, hold=dict.fromkeys(LABELS, "0.0"),
                    reject=dict.fromkeys(LABELS, "1.0"))
    assert response.status_code == 303
    assert "Nothing changed." in admin_client.get("/dashboard/settings").text


def test_a_target_sets_the_thresholds_and_says_what_it_costs(app, client, admin_client):
    page = admin_client.get("/dashboard/settings").text
    assert 'value="custom" checked' in page, "these tests configure thresholds by hand"
    for name in CHOICES:
        target = TARGETS[name]
        cost = (f"about {100 * target.toxic_published:.0f}% of toxic comments published"
                if target.kind == "queue" else
                f"about {100 * target.clean_held:.0f}% of civil comments held")
        assert target.summary in page and cost in page
    assert "a language the model does not read" in page

    assert save(admin_client, target="safety 10%").status_code == 303
    assert 'value="safety 10%" checked' in admin_client.get("/dashboard/settings").text
    comment = scored(app, client, "Decided under the chosen target.")[0]
    with app.app_context():
        entry = db.session().scalars(select(AuditEntry).where(
            AuditEntry.action == "settings.changed")).one()
        decision = db.session().scalars(select(Decision).where(
            Decision.comment_id == uuid.UUID(comment))).one()
    assert entry.details["changes"]["target"] == [None, "safety 10%"]
    assert decision.thresholds["target"] == "safety 10%"
    assert decision.thresholds["hold"] == dict(TARGETS["safety 10%"].hold)
    assert decision.language == "en"

    assert save(admin_client, target="custom", hold=NEVER, reject=NEVER).status_code == 303
    assert 'value="custom" checked' in admin_client.get("/dashboard/settings").text


def test_thresholds_by_hand_are_no_target_and_an_unknown_target_is_refused(admin_client):
    assert Policy().target == Policy.from_overrides({}).target == DEFAULT_TARGET
    assert Policy.from_overrides({"hold": {"toxicity": 0.3}}).target is None
    assert Policy.from_overrides({"target": "1%"}).hold == TARGETS["safety 1%"].hold
    assert Policy.from_overrides({"target": "1%"}).target == "1%", "an earlier choice stays"
    response = save(admin_client, target="3%")
    assert response.status_code == 400
    assert "unknown target" in response.text


FRENCH = "Je pense que le gouvernement devrait écouter les citoyens avant de décider."
SPANISH = "Creo que el gobierno debería escuchar a los ciudadanos antes de decidir."


def test_a_language_the_model_does_not_read_is_held_scored_or_published_as_the_site_says(
        app, client, admin_client):
    save(admin_client)  # nothing holds on scores
    french, english = scored(app, client, FRENCH, "The council should listen to residents.")
    assert status(client, french) == "held" and status(client, english) == "approved"
    with app.app_context():
        decisions = {str(d.comment_id): d for d in db.session().scalars(select(Decision))}
    assert decisions[french].language == "fr" and decisions[english].language == "en"
    assert decisions[french].reason.startswith("language not scored")

    save(admin_client, unscored_languages="publish")
    assert status(client, scored(app, client, SPANISH)[0]) == "approved"
    save(admin_client, unscored_languages="score", hold=ALWAYS)
    assert status(client, scored(app, client, FRENCH + " Vraiment.")[0]) == "held"
    with app.app_context():
        last = db.session().scalars(select(Decision).order_by(Decision.id.desc())).first()
    assert last is not None and last.reason.startswith("score above hold threshold")
