"""Each site's settings in force: the policy, and the origins that may embed the widget.

The environment gives the defaults (``MODERATION_THRESHOLDS``, ``CORS_ALLOWED_ORIGINS``);
the admins' settings, saved in the site's row, take precedence over them from the next
comment scored on. Every function takes the site's id; the site ``default`` is the one
the old paths mean.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.errors import APIError
from service.policy import Policy
from service.sites.models import DEFAULT_SITE_ID, SLUG, Site

SITE_ONLY_POLICY_KEYS = ("new_commenter_premoderation",)
"""Keys of a site's policy that are not the model policy's (``Policy.from_overrides``)."""


def site_by_slug(session: Session, slug: str) -> Site | None:
    """The site named ``slug``, or None (at once for what cannot be a slug)."""
    if not SLUG.fullmatch(slug):
        return None
    return session.scalar(select(Site).where(Site.slug == slug))


def site_not_found() -> APIError:
    """The API's 404 ``site_not_found``: no site has that slug (or none within reach)."""
    return APIError(404, "site_not_found", "No site has that name.")


def find_site(session: Session, slug: str) -> Site:
    """The site named ``slug``, for an API path.

    Raises:
        APIError: 404 ``site_not_found`` (``site_not_found()``) when there is none.
    """
    site = site_by_slug(session, slug)
    if site is None:
        raise site_not_found()
    return site


class UnknownSite(LookupError):
    """A slug that names no site."""


def site_named(session: Session, slug: str) -> Site:
    """The site named ``slug``.

    Raises:
        UnknownSite: ``no site '<slug>'``, when there is none.
    """
    site = site_by_slug(session, slug)
    if site is None:
        raise UnknownSite(f"no site {slug!r}")
    return site


def site_by_id(session: Session, site_id: int) -> Site:
    """The site ``site_id`` (the site ``default`` always exists).

    Raises:
        LookupError: for a site that does not exist.
    """
    site = session.get(Site, site_id)
    if site is None:
        raise LookupError(f"no site {site_id}")
    return site


def current_policy(session: Session, config: Mapping[str, Any],
                   site_id: int = DEFAULT_SITE_ID) -> Policy:
    """The policy for the next comment scored on the site: its admins' settings over the
    configured ones."""
    return policy_of(site_by_id(session, site_id), config)


def policy_of(site: Site, config: Mapping[str, Any]) -> Policy:
    """``site``'s policy: its saved settings over the configured ones."""
    saved = {k: v for k, v in (site.policy or {}).items() if k not in SITE_ONLY_POLICY_KEYS}
    return Policy.from_overrides(merged_overrides(config["MODERATION_THRESHOLDS"], saved))


def allowed_origins(session: Session, config: Mapping[str, Any],
                    site_id: int = DEFAULT_SITE_ID) -> list[str]:
    """Origins whose pages may call the public API from the site's widget."""
    return origins_of(site_by_id(session, site_id), config)


def origins_of(site: Site, config: Mapping[str, Any]) -> list[str]:
    """``site``'s allowed origins: its own, else the configured ones."""
    if site.origins is not None:
        return list(site.origins)
    return list(config["CORS_ALLOWED_ORIGINS"])


def save_settings(session: Session, *, policy: Policy, origins: Iterable[str] | None,
                  by: str, site_id: int = DEFAULT_SITE_ID) -> Site:
    """Keep ``policy`` and ``origins`` (None: the configured ones) as the site's settings
    (the caller commits)."""
    site = site_by_id(session, site_id)
    recorded = policy.as_dict()
    if policy.target is not None:  # the target's thresholds follow the target
        recorded = {k: v for k, v in recorded.items() if k not in {"hold", "reject"}}
    kept = {k: v for k, v in (site.policy or {}).items() if k in SITE_ONLY_POLICY_KEYS}
    site.policy = recorded | {"banned_words": list(policy.banned_words),
                              "suspect_words": list(policy.suspect_words)} | kept
    site.origins = None if origins is None else list(origins)
    site.updated_at, site.updated_by = utcnow(), by
    return site


def check_origin(origin: str) -> str:
    """``origin`` as ``scheme://host[:port]``.

    Raises:
        ValueError: unless it is an http(s) origin, with no path, query or user.
    """
    parts = urlsplit(origin.strip())
    if (parts.scheme not in {"http", "https"} or not parts.hostname or parts.username
            or parts.path not in {"", "/"} or parts.query or parts.fragment):
        raise ValueError(f"{origin!r} is not an origin like https://news.example.com")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def merged_overrides(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """A site's saved ``override`` over the configured ``base`` policy."""
    merged = dict(base)
    if "target" in override:  # a chosen target replaces the configured thresholds
        merged = {k: v for k, v in merged.items() if k not in {"hold", "reject"}}
    for key, value in override.items():
        if key in {"hold", "reject"}:
            merged[key] = {**(base.get(key) or {}), **value}
        else:
            merged[key] = value
    return merged
