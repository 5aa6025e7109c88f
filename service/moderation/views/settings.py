"""A site's settings, for admins: the target or thresholds, pre-moderation, word lists,
origins. The site is the one chosen with the dashboard's switcher (else ``default``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response

from service import db
from service.accounts import audit
from service.accounts.auth import acting_moderator, login_required
from service.accounts.models import Role
from service.accounts.reach import chosen_site
from service.accounts.shell import nav_link
from service.errors import validation_message
from service.moderation.schemas import SiteSettingsForm
from service.policy import ALIASES, CHOICES, LABELS, TARGETS, target_named
from service.sites.models import DEFAULT_SITE_ID, Site
from service.sites.services import origins_of, policy_of, save_settings, site_by_id

bp = Blueprint("dashboard_settings", __name__, url_prefix="/dashboard",
               template_folder="../templates")


CUSTOM = "custom"
"""The form's target value for thresholds set by hand."""

nav_link(bp, "Settings", "dashboard_settings.edit", role=Role.ADMIN, order=40)


@bp.get("/settings")
@login_required(role=Role.ADMIN)
def edit() -> str:
    """The settings in force, in a form."""
    return _page(_in_force())


@bp.post("/settings")
@login_required(role=Role.ADMIN)
def save() -> Response | tuple[str, int]:
    """Save the settings; they apply from the next comment scored on."""
    form = request.form
    target = form.get("target", CUSTOM)
    by_hand = target == CUSTOM
    submitted: dict[str, Any] = {
        "target": None if by_hand else target,
        **{band: {label: form.get(f"{band}-{label}", "") for label in LABELS} if by_hand else {}
           for band in ("hold", "reject")},
        "hold_everything": form.get("hold_everything") == "on",
        "unscored_languages": form.get("unscored_languages", "hold"),
        **{name: form.get(name, "").splitlines()
           for name in ("banned_words", "suspect_words", "allowed_origins")},
    }
    try:
        settings = SiteSettingsForm.model_validate(submitted)
        policy = settings.policy()
    except (ValidationError, ValueError) as error:
        message = validation_message(error)[0] if isinstance(error, ValidationError) else str(error)
        flash(f"Nothing was saved: {message}.", "error")
        return _page(submitted), 400
    site = settings_site()
    before = _in_force()
    after = policy.as_dict() | {"banned_words": list(policy.banned_words),
                                "suspect_words": list(policy.suspect_words),
                                "allowed_origins": settings.allowed_origins}
    changes = _changes(before, after)
    if not changes:
        flash("Nothing changed.", "info")
        return redirect(url_for(".edit"), 303)
    moderator = acting_moderator()
    with db.transaction() as session:
        save_settings(session, policy=policy, origins=settings.allowed_origins, by=moderator.name,
                      site_id=site.id)
        audit.record(session, actor=moderator.name, action=audit.Action.SETTINGS_CHANGED,
                     subject=f"site {site.slug}", reason=", ".join(changes),
                     details={"site": site.slug, "changes": changes})
    flash("Saved. The next comment scored follows these settings.", "success")
    return redirect(url_for(".edit"), 303)


def _page(settings: dict[str, Any]) -> str:
    chosen = settings.get("target")
    shown = [TARGETS[name] for name in CHOICES]
    if chosen and ALIASES.get(chosen, chosen) not in CHOICES and (
            ALIASES.get(chosen, chosen) in TARGETS):  # an earlier version's choice stays shown
        shown.append(target_named(chosen))
    return render_template("dashboard/settings.html", settings=settings, labels=LABELS,
                           targets=shown, chosen=ALIASES.get(chosen or "", chosen),
                           custom=CUSTOM, site=settings_site())


def settings_site() -> Site:
    """The site whose settings the page shows: the switcher's choice, else ``default``."""
    session = db.session()
    return (chosen_site(session, acting_moderator())
            or site_by_id(session, DEFAULT_SITE_ID))


def _in_force() -> dict[str, Any]:
    site, config = settings_site(), current_app.config
    policy = policy_of(site, config)
    return policy.as_dict() | {"banned_words": list(policy.banned_words),
                               "suspect_words": list(policy.suspect_words),
                               "allowed_origins": origins_of(site, config)}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{"hold.toxicity": [0.3, 0.4], "banned_words": [[...], [...]], ...}``."""
    changes: dict[str, list[Any]] = {}
    for key, new in after.items():
        old = before.get(key)
        if isinstance(new, dict):
            for label, value in new.items():
                if (old or {}).get(label) != value:
                    changes[f"{key}.{label}"] = [(old or {}).get(label), value]
        elif old != new:
            changes[key] = [old, new]
    return changes
