"""``moderation moderators ...`` and ``moderation tokens ...``: accounts from the shell."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from service import db
from service.accounts.models import ApiToken, Moderator, Role
from service.accounts.services import (
    CLI_ACTOR,
    AccountError,
    add_moderator,
    create_token,
    parse_duration,
    revoke_token,
    set_disabled,
    set_password,
)
from service.errors import MAX_WHOLE_NUMBER


@click.group()
def moderators() -> None:
    """The people who log in to the dashboard."""


@moderators.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([role.value for role in Role]), default="moderator",
              show_default=True, help="Admins may also change the sites' settings.")
@click.option("--site", "sites", multiple=True, metavar="SLUG",
              help="A site the moderator sees and decides (repeatable; default: the site "
                   "default). Admins see every site.")
@with_appcontext
def add(name: str, role: str, sites: tuple[str, ...]) -> None:
    """Add a moderator; the password is read from standard input (one line)."""
    password = _read_password()
    try:
        with db.transaction() as session:
            moderator = add_moderator(session, name, password, role, sites=sites)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    reach = ("every site" if moderator.is_admin
             else "sites " + ", ".join(site.slug for site in moderator.sites))
    click.echo(f"added {role} {name} ({reach})", err=True)


@moderators.command("password")
@click.argument("name")
@with_appcontext
def password(name: str) -> None:
    """Set NAME's password (read from standard input) and end their sessions."""
    moderator = _moderator(name)
    try:
        with db.transaction() as session:
            set_password(session, moderator, _read_password(), by=CLI_ACTOR)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"password of {name} changed; their sessions are ended", err=True)


@moderators.command("disable")
@click.argument("name")
@with_appcontext
def disable(name: str) -> None:
    """Disable NAME: no login, and their sessions and tokens stop working at once."""
    with db.transaction() as session:
        set_disabled(session, _moderator(name), True, by=CLI_ACTOR)
    click.echo(f"disabled {name}", err=True)


@moderators.command("enable")
@click.argument("name")
@with_appcontext
def enable(name: str) -> None:
    """Let a disabled moderator log in again (their tokens work again unless revoked)."""
    with db.transaction() as session:
        set_disabled(session, _moderator(name), False, by=CLI_ACTOR)
    click.echo(f"enabled {name}", err=True)


@moderators.command("list")
@with_appcontext
def list_moderators() -> None:
    """Print each moderator's name and role."""
    for moderator in db.session().scalars(select(Moderator).order_by(Moderator.name)):
        click.echo(f"{moderator.name}\t{moderator.role}")


@click.group()
def tokens() -> None:
    """Bearer tokens of the moderation API."""


@tokens.command("create")
@click.argument("name")
@click.option("--expires-in", default="", metavar="DURATION",
              help="How long the token works, e.g. 90m, 12h, 30d, 2w (default: until revoked).")
@with_appcontext
def create(name: str, expires_in: str) -> None:
    """Print a new token for the moderator NAME (it is not shown again)."""
    moderator = _moderator(name)
    try:
        lifetime = parse_duration(expires_in) if expires_in else None
    except AccountError as error:
        raise click.BadParameter(str(error), param_hint="--expires-in") from None
    with db.transaction() as session:
        token, secret = create_token(session, moderator, by=CLI_ACTOR, expires_in=lifetime)
    click.echo(f"token {token.id} for {name}; keep it secret:", err=True)
    click.echo(secret)


@tokens.command("list")
@click.argument("name", required=False)
@with_appcontext
def list_tokens(name: str | None) -> None:
    """Print the tokens (of NAME only, when given): id, owner, start, state."""
    query = select(ApiToken).join(Moderator).order_by(ApiToken.id)
    if name:
        query = query.where(Moderator.name == name)
    for token in db.session().scalars(query):
        if token.revoked_at:
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}"
        elif token.expires_at:
            state = (f"{'active' if token.active else 'expired'} until "
                     f"{token.expires_at:%Y-%m-%d %H:%M}")
        else:
            state = "active"
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        click.echo(f"{token.id}\t{token.moderator.name}\t{token.hint}…\t{state}\tused {used}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def revoke(token_id: int) -> None:
    """Revoke the token TOKEN_ID; it stops working at once."""
    session = db.session()
    token = session.get(ApiToken, token_id) if token_id <= MAX_WHOLE_NUMBER else None
    if token is None:
        raise click.ClickException(f"no token has the id {token_id}")
    with db.transaction() as session:
        revoked = revoke_token(session, token, by=CLI_ACTOR)
    click.echo(f"token {token_id} {'revoked' if revoked else 'was revoked already'}")


def _moderator(name: str) -> Moderator:
    moderator = db.session().scalar(select(Moderator).where(Moderator.name == name))
    if moderator is None:
        raise click.ClickException(f"no moderator is named {name!r}")
    return moderator


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")
