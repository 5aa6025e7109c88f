"""API tokens: a moderator makes and revokes their own; an admin may revoke anyone's."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from service import db
from service.accounts.auth import acting_moderator, login_required
from service.accounts.models import ApiToken
from service.accounts.services import create_token, parse_duration, revoke_token
from service.errors import MAX_WHOLE_NUMBER

bp = Blueprint("dashboard_tokens", __name__, url_prefix="/dashboard")

EXPIRY_CHOICES = ("1d", "30d", "90d")


@bp.get("/tokens")
@login_required
def index() -> str:
    """The tokens one may revoke: one's own, or everyone's for an admin."""
    return render_template("dashboard/tokens.html", tokens=_visible_tokens(), secret=None)


@bp.post("/tokens")
@login_required
def create() -> tuple[str, int, dict[str, str]]:
    """Make a token for oneself and show it, this once."""
    moderator = acting_moderator()
    choice = request.form.get("expires_in", "")
    if choice and choice not in EXPIRY_CHOICES:
        abort(400, "Choose how long the token works from the list.")
    with db.transaction() as session:
        token, secret = create_token(session, moderator, by=moderator.name,
                                     expires_in=parse_duration(choice) if choice else None)
    return (render_template("dashboard/tokens.html", tokens=_visible_tokens(), secret=secret,
                            created=token), 201, {"Cache-Control": "no-store"})


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    """Revoke a token; it stops working at once."""
    moderator = acting_moderator()
    session = db.session()
    token = session.get(ApiToken, token_id) if token_id <= MAX_WHOLE_NUMBER else None
    if token is None or not (moderator.is_admin or token.moderator_id == moderator.id):
        abort(404, "No token of yours has that id.")
    with db.transaction() as session:
        revoked = revoke_token(session, token, by=moderator.name)
    flash(f"Token {token.hint}… {'is revoked' if revoked else 'was revoked already'}.", "success")
    return redirect(url_for(".index"), 303)


def _visible_tokens() -> list[ApiToken]:
    moderator = acting_moderator()
    query = select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
    if not moderator.is_admin:
        query = query.where(ApiToken.moderator_id == moderator.id)
    return list(db.session().scalars(query))
