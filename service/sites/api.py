"""The sites API, for admins: ``/api/v1/sites``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, current_app, url_for

from service import db
from service.accounts.auth import current_moderator, require_token
from service.apidoc import Tag
from service.errors import APIError, json_object
from service.sites import admin
from service.sites.models import Site
from service.sites.responses import Site as SiteReply
from service.sites.responses import Sites, SiteWithSecret
from service.sites.schemas import NewSite, SiteChanges
from service.sites.services import find_site

bp = Blueprint("sites_api", __name__, url_prefix="/api/v1/sites")

NO_STORE = {"Cache-Control": "no-store"}
doc = Tag("sites")
NOT_FOUND = {404: "No site has that name (site_not_found)."}


@bp.post("")
@doc(SiteWithSecret, 201, body=NewSite, errors={409: "A site has that slug already."})
@require_token(role="admin")
def create_site() -> tuple[dict[str, Any], int, dict[str, str]]:
    """Add a site (201); the answer holds its SSO secret."""
    new = NewSite.model_validate(json_object())
    with db.transaction() as session, _site_errors():
        site = admin.add_site(session, new, current_app.config, by=_admin())
    location = url_for(".get_site", slug=site.slug)
    return _with_secret(site), 201, {"Location": location, **NO_STORE}


@bp.get("")
@doc(Sites)
@require_token(role="admin")
def list_sites() -> dict[str, Any]:
    """Every site, by slug, without secrets."""
    config = current_app.config
    return {"sites": [admin.site_view(site, config) for site in admin.all_sites(db.session())]}


@bp.get("/<slug>")
@doc(SiteReply, errors=NOT_FOUND)
@require_token(role="admin")
def get_site(slug: str) -> dict[str, Any]:
    """The site with its policy in force, without its secret."""
    return admin.site_view(find_site(db.session(), slug), current_app.config)


@bp.patch("/<slug>")
@doc(SiteReply, body=SiteChanges, errors=NOT_FOUND)
@require_token(role="admin")
def change_site(slug: str) -> dict[str, Any]:
    """Change any of name, origins, locale, anonymous_allowed and policy (audited)."""
    changes = SiteChanges.model_validate(json_object())
    with db.transaction() as session, _site_errors():
        site = find_site(session, slug)
        admin.change_site(session, site, changes, current_app.config, by=_admin())
    return admin.site_view(site, current_app.config)


@bp.post("/<slug>/sso-secret")
@doc(SiteWithSecret, errors=NOT_FOUND)
@require_token(role="admin")
def rotate_sso_secret(slug: str) -> tuple[dict[str, Any], int, dict[str, str]]:
    """A new SSO secret, in the answer; tokens signed with the old one stop working."""
    with db.transaction() as session:
        site = find_site(session, slug)
        admin.rotate_sso_secret(session, site, by=_admin())
    return _with_secret(site), 200, NO_STORE


def _with_secret(site: Site) -> dict[str, object]:
    return admin.site_view(site, current_app.config) | {"sso_secret": site.sso_secret}


def _admin() -> str:
    moderator = current_moderator()
    return moderator.name if moderator else "api"


@contextmanager
def _site_errors() -> Iterator[None]:
    """Turn a ``SiteError`` into the API's error with its status."""
    try:
        yield
    except admin.SiteError as error:
        code = "site_exists" if error.status == 409 else "invalid_input"
        raise APIError(error.status, code, str(error)) from None
