"""The site's spam rules and its readers' settings (reports, appeals, nudges before
posting), for admins: fieldsets of the settings page, each with its own form."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response

from service import db
from service.accounts import audit
from service.accounts.auth import acting_moderator, login_required
from service.accounts.models import Role
from service.comments.readers import ReaderSettings, reader_settings, save_reader_settings
from service.comments.spam import SpamSettings, save_spam_settings, spam_settings
from service.errors import validation_message
from service.moderation.views.settings import edit as settings_page
from service.moderation.views.settings import settings_site

bp = Blueprint("dashboard_spam", __name__, url_prefix="/dashboard",
               template_folder="../templates")

RULES = (
    ("links", "More links than the limit", "max_links", "Most links in a comment"),
    ("link_only", "Nothing but links", None, None),
    ("shortener", "A link through a URL shortener (bit.ly, tinyurl.com, ...)", None, None),
    ("repeated_domain", "A domain linked from many recent comments",
     "repeated_domain_comments", "Comments within the window"),
    ("new_commenter_link", "A link in a commenter's first comment (a name from one address)",
     None, None),
    ("near_duplicate", "Nearly the same text as a recent comment by someone else or elsewhere",
     "similarity", "Similarity, 0.3 to 1"),
    ("flood", "One name or address commenting in many threads", "flood_threads",
     "Threads within the flood window"),
)
"""Each rule: its field, what it catches, and its limit's field and label."""
NUMBERS = ("max_links", "repeated_domain_comments", "similarity", "min_chars",
           "window_seconds", "flood_threads", "flood_window_seconds")


@bp.app_template_global("spam_rules")
def spam_rules_in_force() -> dict[str, Any]:
    """The spam rules in force, for the settings page's fieldset."""
    session, site = db.session(), settings_site()
    return {"settings": spam_settings(session, site.id).model_dump(), "rules": RULES,
            "readers": reader_settings(session, site.id).model_dump()}


@bp.post("/settings/readers")
@login_required(role=Role.ADMIN)
def save_readers() -> Response | tuple[str, int]:
    """Save how many reports hold a comment and how long authors may appeal."""
    form = request.form
    return _save_readers("Reports and appeals", {
        name: form.get(name, "") for name in ("reports_to_hold", "appeal_days")})


@bp.post("/settings/nudges")
@login_required(role=Role.ADMIN)
def save_nudges() -> Response | tuple[str, int]:
    """Turn the nudge before posting on or off, and set how long it waits for a worker."""
    form = request.form
    return _save_readers("Nudges", {"nudges": form.get("nudges") == "on",
                                    "nudge_timeout_ms": form.get("nudge_timeout_ms", "")})


def _save_readers(part: str, submitted: dict[str, Any]) -> Response | tuple[str, int]:
    """Save ``submitted`` over the site's readers' settings, audited; ``part`` names the
    fieldset in the messages."""
    site = settings_site()
    before = reader_settings(db.session(), site.id)
    try:
        settings = ReaderSettings.model_validate(before.model_dump() | submitted)
    except ValidationError as error:
        flash(f"{part}: nothing was saved: {validation_message(error)[0]}.", "error")
        return settings_page(), 400
    changes = {f"readers.{key}": [value, getattr(settings, key)]
               for key, value in before.model_dump().items() if getattr(settings, key) != value}
    if changes:
        moderator = acting_moderator()
        with db.transaction() as session:
            save_reader_settings(session, settings, by=moderator.name, site_id=site.id)
            audit.record(session, actor=moderator.name, action=audit.Action.SETTINGS_CHANGED,
                         subject=f"site {site.slug}", reason=", ".join(changes),
                         details={"site": site.slug, "changes": changes})
    flash(f"{part}: saved." if changes else f"{part}: nothing changed.",
          "success" if changes else "info")
    return redirect(url_for("dashboard_settings.edit"), 303)


@bp.post("/settings/spam")
@login_required(role=Role.ADMIN)
def save() -> Response | tuple[str, int]:
    """Save the spam rules; they apply from the next comment posted."""
    form = request.form
    submitted: dict[str, Any] = {rule: form.get(rule, "") for rule, *_ in RULES}
    submitted |= {name: form.get(name, "") for name in NUMBERS}
    submitted["allowed_domains"] = form.get("allowed_domains", "").split()
    site = settings_site()
    before = spam_settings(db.session(), site.id)
    try:
        settings = SpamSettings.model_validate(submitted)
    except ValidationError as error:
        flash(f"Spam rules: nothing was saved: {validation_message(error)[0]}.", "error")
        return settings_page(), 400
    changes = {key: [value, getattr(settings, key)] for key, value in before.model_dump().items()
               if getattr(settings, key) != value}
    if not changes:
        flash("Spam rules: nothing changed.", "info")
        return redirect(url_for("dashboard_settings.edit"), 303)
    moderator = acting_moderator()
    with db.transaction() as session:
        save_spam_settings(session, settings, by=moderator.name, site_id=site.id)
        audit.record(session, actor=moderator.name, action=audit.Action.SETTINGS_CHANGED,
                     subject=f"site {site.slug}",
                     reason=", ".join(f"spam.{key}" for key in changes),
                     details={"site": site.slug, "changes": {
                         f"spam.{key}": value for key, value in changes.items()}})
    flash("Spam rules saved. They apply from the next comment posted.", "success")
    return redirect(url_for("dashboard_settings.edit"), 303)
