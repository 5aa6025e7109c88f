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
    revoke_token,
)


@click.group()
def moderators() -> None:
    """The people who log in to the dashboard."""


@moderators.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([role.value for role in Role]), default="moderator",
              show_default=True, help="Admins may also change the site's settings.")
@with_appcontext
def add(name: str, role: str) -> None:
    """Add a moderator; the password is read from standard input (one line)."""
    password = _read_password()
    try:
        with db.transaction() as session:
            add_moderator(session, name, password, role)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"added {role} {name}", err=True)


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
@with_appcontext
def create(name: str) -> None:
    """Print a new token for the moderator NAME (it is not shown again)."""
    session = db.session()
    moderator = session.scalar(select(Moderator).where(Moderator.name == name))
    if moderator is None:
        raise click.ClickException(f"no moderator is named {name!r}")
    with db.transaction() as session:
        token, secret = create_token(session, moderator, by=CLI_ACTOR)
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
        state = "active" if token.active else f"revoked {token.revoked_at:%Y-%m-%d %H:%M}"
        click.echo(f"{token.id}\t{token.moderator.name}\t{token.hint}…\t{state}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def revoke(token_id: int) -> None:
    """Revoke the token TOKEN_ID; it stops working at once."""
    session = db.session()
    token = session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"no token has the id {token_id}")
    with db.transaction() as session:
        revoked = revoke_token(session, token, by=CLI_ACTOR)
    click.echo(f"token {token_id} {'revoked' if revoked else 'was revoked already'}")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")
