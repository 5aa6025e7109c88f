"""The review queue, a comment's page with its history, and the decision forms."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from pydantic import ValidationError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from service import db
from service.accounts.auth import acting_moderator, login_required
from service.accounts.shell import nav_link
from service.commenters.services import subs_of
from service.cursors import InvalidCursor
from service.errors import APIError, validation_message
from service.moderation.schemas import REASON_CODES, BulkDecisionRequest, QueueQuery
from service.moderation.scope import Scope, api_scope, dashboard_comment, dashboard_scope
from service.moderation.services import (
    OwnDecisionUnderAppeal,
    QueueItem,
    QueuePage,
    UnknownComments,
    flagged_labels,
    model_decision,
    moderate,
    parent_of,
    review_queue,
)
from service.policy import LABELS
from service.threads.services import headlines

bp = Blueprint("dashboard_queue", __name__, url_prefix="/dashboard", template_folder="../templates")


nav_link(bp, "Queue", "dashboard_queue.index", order=10)

PAGE_SIZE = 25


@bp.get("/queue")
@login_required
def index() -> str | tuple[str, int]:
    """Held comments (or another status), oldest first or by highest score."""
    try:
        query = QueueQuery.model_validate({"limit": PAGE_SIZE, **request.args.to_dict()})
        session = db.session()
        page = review_queue(session, query, _scope(session, query.site))
    except (ValidationError, InvalidCursor) as error:
        message = validation_message(error)[0] if isinstance(error, ValidationError) else str(error)
        flash(f"Those filters do not work: {message}.", "error")
        return render_template("dashboard/queue.html", page=QueuePage([], 0), query=None,
                               labels=LABELS, reasons=REASON_CODES, threads={},
                               commenters={}), 400
    comments = [item.comment for item in page.items]
    return render_template("dashboard/queue.html", page=page, query=query, labels=LABELS,
                           reasons=REASON_CODES, threads=headlines(session, comments),
                           commenters=subs_of(session, comments))


@bp.get("/comments/<uuid:comment_id>")
@login_required
def comment(comment_id: uuid.UUID) -> str:
    """A comment in full, with its whole history, oldest first."""
    session = db.session()
    found = dashboard_comment(session, comment_id, acting_moderator())
    item = QueueItem(found, model_decision(found), parent_of(session, found))
    history = [(decision, flagged_labels(decision)) for decision in found.decisions]
    return render_template("dashboard/comment.html", item=item, history=history, labels=LABELS,
                           reasons=REASON_CODES)


@bp.post("/decisions")
@login_required
def decide() -> Response:
    """Approve or reject the comments chosen, then go back where the form was."""
    back = _back()
    ids = request.form.getlist("comment_ids")
    if not ids:
        flash("Select the comments to decide first (x selects the current one).", "error")
        return redirect(back, 303)
    action = request.form.get("action", "")
    code, note = request.form.get("code", ""), request.form.get("note", "").strip()
    if action == "reject" and code not in REASON_CODES:
        flash("Choose why the comments are rejected.", "error")
        return redirect(back, 303)
    reason = (f"{code}: {note}" if note else code) if action == "reject" else note
    try:
        body = BulkDecisionRequest.model_validate(
            {"action": action, "reason": reason, "comment_ids": ids})
        with db.transaction() as session:
            decided, unchanged = moderate(session, body.comment_ids, body, acting_moderator())
    except ValidationError as error:
        flash(f"Nothing was decided: {validation_message(error)[0]}.", "error")
        return redirect(back, 303)
    except UnknownComments:
        flash("Nothing was decided: a comment chosen no longer exists.", "error")
        return redirect(back, 303)
    except OwnDecisionUnderAppeal:
        flash("Nothing was decided: you took a decision under appeal; another moderator "
              "decides the appeal, and so the comment.", "error")
        return redirect(back, 303)
    if decided:
        flash(f"{body.outcome.capitalize()} {_count(len(decided))}.", "success")
    if unchanged:
        flash(f"{_count(len(unchanged))} {'was' if len(unchanged) == 1 else 'were'} "
              f"{body.outcome} already.", "info")
    return redirect(back, 303)


def _scope(session: Session, slug: str | None) -> Scope:
    """The sites the queue shows: ``?site=``, else the switcher's choice (404 out of reach)."""
    moderator = acting_moderator()
    if not slug:
        return dashboard_scope(session, moderator)
    try:
        return api_scope(session, moderator, slug)
    except APIError:
        abort(404, "No site has that name.")


def _count(number: int) -> str:
    return f"{number} comment{'' if number == 1 else 's'}"


def _back() -> str:
    target = request.form.get("next", "")
    if target.startswith("/dashboard/") and not target.startswith("//"):
        return target
    return url_for(".index")
