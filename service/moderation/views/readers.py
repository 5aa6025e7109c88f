"""The dashboard's reported comments and appeals: the moderators' side of readers' reports
and authors' appeals."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response

from service import db
from service.accounts.auth import acting_moderator, login_required
from service.accounts.reach import reachable_site_ids
from service.accounts.shell import nav_link
from service.comments.reasons import reason_of
from service.errors import APIError, validation_message
from service.moderation.readers import (
    AppealDecision,
    AppealQuery,
    appeals_queue,
    decide_appeal,
    dismiss_reports,
    find_appeal,
    reported,
)
from service.moderation.schemas import REASON_CODES
from service.moderation.scope import dashboard_comment, dashboard_scope

bp = Blueprint("dashboard_readers", __name__, url_prefix="/dashboard",
               template_folder="../templates")

nav_link(bp, "Reported", "dashboard_readers.reported_comments", order=12)
nav_link(bp, "Appeals", "dashboard_readers.appeals", order=14)


@bp.get("/reported")
@login_required
def reported_comments() -> str:
    """Comments that readers reported, most reported first, with the reports' reasons."""
    session = db.session()
    items = reported(session, scope=dashboard_scope(session, acting_moderator()))
    return render_template("dashboard/reported.html", items=items, reasons=REASON_CODES)


@bp.post("/reported/<uuid:comment_id>/dismissal")
@login_required
def dismiss(comment_id: uuid.UUID) -> Response:
    """Dismiss a comment's reports: it stays published, or is published again."""
    comment = dashboard_comment(db.session(), comment_id, acting_moderator())
    note = request.form.get("note", "").strip()[:400]
    try:
        with db.transaction() as session:
            dismissed = dismiss_reports(session, comment, acting_moderator(), note)
    except APIError as error:
        flash(error.message, "error")
        return redirect(url_for(".reported_comments"), 303)
    flash(f"Dismissed {dismissed} report{'s' if dismissed != 1 else ''}; the comment is "
          f"{comment.status}.", "success")
    return redirect(url_for(".reported_comments"), 303)


@bp.get("/appeals")
@login_required
def appeals() -> str | tuple[str, int]:
    """Open appeals (or ``status``), oldest first."""
    try:
        query = AppealQuery.model_validate(request.args.to_dict())
    except ValidationError as error:
        flash(f"That filter does not work: {validation_message(error)[0]}.", "error")
        return render_template("dashboard/appeals.html", appeals=[], query=None,
                               statement=reason_of, me=acting_moderator().name), 400
    session = db.session()
    found = appeals_queue(session, query, dashboard_scope(session, acting_moderator()))
    return render_template("dashboard/appeals.html", appeals=found, query=query,
                           statement=reason_of, me=acting_moderator().name)


@bp.post("/appeals/<int:appeal_id>/decision")
@login_required
def decide(appeal_id: int) -> Response:
    """Uphold or overturn an appeal; not by the moderator who took the decision."""
    back = url_for(".appeals")
    try:
        found = find_appeal(db.session(), str(appeal_id), reachable_site_ids(acting_moderator()))
    except APIError:
        abort(404, "No appeal has that id.")
    try:
        body = AppealDecision.model_validate({"action": request.form.get("action", ""),
                                              "reason": request.form.get("reason", "")})
        with db.transaction() as session:
            appeal = decide_appeal(session, found, body, acting_moderator())
    except ValidationError as error:
        flash(f"Nothing was decided: {validation_message(error)[0]}.", "error")
        return redirect(back, 303)
    except APIError as error:
        flash(f"Nothing was decided: {error.message}", "error")
        return redirect(back, 303)
    flash(f"Appeal {appeal.status}; the author is told.", "success")
    return redirect(back, 303)
