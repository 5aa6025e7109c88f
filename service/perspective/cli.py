"""``moderation keys ...``: the API keys of the Perspective-compatible endpoint."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from service import db
from service.accounts.services import CLI_ACTOR
from service.perspective.models import DEFAULT_SITE, PerspectiveKey
from service.perspective.services import create_key, revoke_key


@click.group()
def keys() -> None:
    """API keys of the Perspective-compatible endpoint (/v1alpha1)."""


@keys.command("create")
@click.argument("name")
@click.option("--site", default=DEFAULT_SITE, show_default=True,
              help="The site whose comments the key scores.")
@click.option("--quota", type=click.IntRange(min=1), default=None,
              help="Requests per second (default: PERSPECTIVE_DEFAULT_QUOTA).")
@with_appcontext
def create(name: str, site: str, quota: int | None) -> None:
    """Print a new key named NAME (it is not shown again)."""
    quota = quota or current_app.config["PERSPECTIVE_DEFAULT_QUOTA"]
    try:
        with db.transaction() as session:
            key, secret = create_key(session, name, site=site, quota=quota, by=CLI_ACTOR)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"key {key.id} {name!r} for site {key.site}, {quota}/s; keep it secret:",
               err=True)
    click.echo(secret)


@keys.command("list")
@with_appcontext
def list_keys() -> None:
    """Print the keys: id, name, site, start, quota, last used, state."""
    for key in db.session().scalars(select(PerspectiveKey).order_by(PerspectiveKey.id)):
        used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never used"
        state = "active" if key.active else f"revoked {key.revoked_at:%Y-%m-%d %H:%M}"
        click.echo(f"{key.id}\t{key.name}\t{key.site}\t{key.hint}…\t{key.quota_per_second}/s"
                   f"\t{used}\t{state}")


@keys.command("revoke")
@click.argument("key_id", type=int)
@with_appcontext
def revoke(key_id: int) -> None:
    """Revoke the key KEY_ID; it stops working at once."""
    key = db.session().get(PerspectiveKey, key_id)
    if key is None:
        raise click.ClickException(f"no key has the id {key_id}")
    with db.transaction() as session:
        revoked = revoke_key(session, key, by=CLI_ACTOR)
    click.echo(f"key {key_id} {'revoked' if revoked else 'was revoked already'}")
