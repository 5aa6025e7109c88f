"""``moderation sites ...``: a publisher's sites from the shell."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from pydantic import ValidationError

from service import db
from service.accounts.services import CLI_ACTOR
from service.errors import validation_message
from service.sites import admin
from service.sites.schemas import NewSite


@click.group()
def sites() -> None:
    """The publisher's sites: each with its policy, origins, locale and SSO secret."""


@sites.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="The site's name, as people read it.")
@click.option("--origin", "origins", multiple=True,
              help="An origin whose pages embed the widget (repeatable); none: the "
                   "configured CORS_ALLOWED_ORIGINS.")
@click.option("--locale", default="en", show_default=True, help="The widget's language.")
@with_appcontext
def add(slug: str, name: str, origins: tuple[str, ...], locale: str) -> None:
    """Add the site SLUG; print it and its SSO secret (it signs commenters' tokens)."""
    try:
        new = NewSite.model_validate({"slug": slug, "name": name, "locale": locale,
                                      "origins": list(origins) or None})
        with db.transaction() as session:
            site = admin.add_site(session, new, current_app.config, by=CLI_ACTOR)
    except ValidationError as error:
        raise click.ClickException(validation_message(error)[0]) from None
    except admin.SiteError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"site {site.slug} {site.name!r}, locale {site.locale}, origins "
               f"{', '.join(site.origins) if site.origins else '(the configured ones)'}")
    click.echo(f"sso secret: {site.sso_secret}")


@sites.command("list")
@with_appcontext
def list_sites() -> None:
    """Print the sites: slug, name, locale, anonymous posting, origins."""
    for site in admin.all_sites(db.session()):
        anonymous = "anonymous allowed" if site.anonymous_allowed else "sign-in required"
        origins = " ".join(site.origins) if site.origins is not None else "(configured)"
        click.echo(f"{site.slug}\t{site.name}\t{site.locale}\t{anonymous}\t{origins}")
