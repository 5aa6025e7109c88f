"""Adding and changing sites, for admins (the API, the command line and the dashboard).

Every change is audited as a settings change of the site, with each field's value before
and after; the SSO secret's rotation is audited without the secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.accounts import audit
from service.comments.readers import ReaderSettings
from service.db import utcnow
from service.policy import Policy
from service.sites.models import Site, new_sso_secret
from service.sites.schemas import NewSite, PolicyChanges, SiteChanges
from service.sites.services import (
    SITE_ONLY_POLICY_KEYS,
    merged_overrides,
    origins_of,
    policy_of,
    site_by_slug,
)

SITE_ACTION_CREATED = "site.created"
SITE_ACTION_SECRET_ROTATED = "site.sso_secret_rotated"


class SiteError(ValueError):
    """A change that cannot be made; ``status`` is the HTTP status that says so."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def add_site(session: Session, new: NewSite, config: Mapping[str, Any], *, by: str) -> Site:
    """Add the site ``new`` describes to the session.

    Raises:
        SiteError: 409 for a slug taken, 422 for a policy that does not hold.
    """
    if site_by_slug(session, new.slug) is not None:
        raise SiteError(f"a site named {new.slug!r} exists already", 409)
    site = Site(slug=new.slug, name=new.name, origins=new.origins, locale=new.locale,
                anonymous_allowed=new.anonymous_allowed, token_max_age=new.token_max_age,
                policy={}, sso_secret=new_sso_secret(),
                created_at=utcnow(), updated_at=utcnow(), updated_by=by)
    if new.policy is not None:
        _apply_policy(site, new.policy, config)
    session.add(site)
    session.flush()
    audit.record(session, actor=by, action=SITE_ACTION_CREATED, subject=_subject(site),
                 details={"settings": site_view(site, config)})
    return site


def change_site(session: Session, site: Site, changes: SiteChanges,
                config: Mapping[str, Any], *, by: str) -> dict[str, list[Any]]:
    """Apply ``changes`` (only the fields sent) and audit them; return what changed.

    Raises:
        SiteError: 422 for a policy that does not hold.
    """
    before = site_view(site, config)
    sent = changes.model_fields_set
    for field in ("name", "locale", "anonymous_allowed", "token_max_age"):
        if field in sent and getattr(changes, field) is not None:
            setattr(site, field, getattr(changes, field))
    if "origins" in sent:
        site.origins = changes.origins
    if changes.policy is not None:
        _apply_policy(site, changes.policy, config)
    after = site_view(site, config)
    changed = differences(before, after)
    if changed:
        site.updated_at, site.updated_by = utcnow(), by
        audit.record(session, actor=by, action=audit.Action.SETTINGS_CHANGED,
                     subject=_subject(site), reason=", ".join(changed),
                     details={"site": site.slug, "changes": changed})
    return changed


def rotate_sso_secret(session: Session, site: Site, *, by: str) -> str:
    """Give the site a new SSO secret (tokens signed with the old one stop working)."""
    site.sso_secret = new_sso_secret()
    site.updated_at, site.updated_by = utcnow(), by
    audit.record(session, actor=by, action=SITE_ACTION_SECRET_ROTATED, subject=_subject(site),
                 details={"site": site.slug})
    return site.sso_secret


def site_view(site: Site, config: Mapping[str, Any]) -> dict[str, Any]:
    """The site as admins see it, with its policy in force (never its secret)."""
    policy = policy_of(site, config)
    readers = ReaderSettings.model_validate(site.readers or {})
    return site.summary() | {
        "origins_in_force": origins_of(site, config),
        "policy": policy.as_dict() | {
            "banned_words": list(policy.banned_words),
            "suspect_words": list(policy.suspect_words),
            "new_commenter_premoderation": site.new_commenter_premoderation,
            "reports_to_hold": readers.reports_to_hold,
        },
    }


def all_sites(session: Session) -> list[Site]:
    """Every site, by slug."""
    return list(session.scalars(select(Site).order_by(Site.slug)))


def differences(before: Mapping[str, Any], after: Mapping[str, Any],
                prefix: str = "") -> dict[str, list[Any]]:
    """``{"policy.hold.toxicity": [0.3, 0.4], "name": ["A", "B"], ...}``."""
    changed: dict[str, list[Any]] = {}
    for key in after:
        if key in {"updated_at", "updated_by", "created_at"}:
            continue
        old, new = before.get(key), after[key]
        if isinstance(new, dict) and isinstance(old, dict | None):
            changed |= differences(old or {}, new, f"{prefix}{key}.")
        elif old != new:
            changed[f"{prefix}{key}"] = [old, new]
    return changed


def _apply_policy(site: Site, changes: PolicyChanges, config: Mapping[str, Any]) -> None:
    given = changes.given()
    saved = {k: v for k, v in (site.policy or {}).items() if k not in SITE_ONLY_POLICY_KEYS}
    overrides = saved | {k: v for k, v in given.items()
                         if k not in {*SITE_ONLY_POLICY_KEYS, "reports_to_hold"}}
    if "target" in given and given["target"] is not None:  # a target replaces the thresholds
        overrides = {k: v for k, v in overrides.items()
                     if k not in {"hold", "reject"} or k in given}
    overrides = {k: v for k, v in overrides.items() if v is not None or k == "target"}
    try:
        Policy.from_overrides(merged_overrides(config["MODERATION_THRESHOLDS"], overrides))
        policy = Policy.from_overrides(overrides)
    except ValueError as error:
        raise SiteError(f"policy: {error}") from None
    recorded: dict[str, Any] = {k: v for k, v in overrides.items()
                                if k not in {"banned_words", "suspect_words"}}
    recorded |= {"banned_words": list(policy.banned_words),
                 "suspect_words": list(policy.suspect_words)}
    kept = {k: v for k, v in (site.policy or {}).items() if k in SITE_ONLY_POLICY_KEYS}
    if given.get("new_commenter_premoderation") is not None:
        kept["new_commenter_premoderation"] = given["new_commenter_premoderation"]
    site.policy = recorded | kept
    if given.get("reports_to_hold") is not None:
        readers = ReaderSettings.model_validate(site.readers or {})
        site.readers = readers.model_copy(
            update={"reports_to_hold": given["reports_to_hold"]}).model_dump()


def _subject(site: Site) -> str:
    return f"site {site.slug}"

