"""The dashboard's thread page: headline, link, counts, and its rules (closed,
pre-moderation), changed with a form and audited like the API's PATCH."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response

from service import db
from service.accounts.auth import acting_moderator, login_required
from service.accounts.reach import site_in_reach
from service.accounts.shell import nav_link
from service.comments.schemas import valid_thread_id
from service.errors import APIError, validation_message
from service.moderation.scope import dashboard_scope
from service.sites.models import Site
from service.threads.schemas import ThreadChange
from service.threads.services import busiest_threads, thread_view, update_thread

bp = Blueprint("dashboard_threads", __name__, url_prefix="/dashboard",
               template_folder="templates")

nav_link(bp, "Threads", "dashboard_threads.index", order=11)


@bp.get("/threads")
@login_required
def index() -> str:
    """The threads of the sites in view, those with the most held comments first."""
    session = db.session()
    rows = busiest_threads(session, dashboard_scope(session, acting_moderator()))
    return render_template("dashboard/threads.html", rows=rows)


@bp.get("/sites/<site>/threads/<thread_id>")
@login_required
def thread(site: str, thread_id: str) -> str:
    """The thread: its headline and link, its comments per status, and its rules."""
    found = _site(site, thread_id)
    return render_template("dashboard/thread.html", site=found,
                           thread=thread_view(db.session(), found, thread_id))


@bp.post("/sites/<site>/threads/<thread_id>")
@login_required
def change(site: str, thread_id: str) -> Response:
    """Save the form: headline, link, closed, pre-moderation."""
    found = _site(site, thread_id)
    form = request.form
    values: dict[str, object] = {"closed": form.get("closed") == "on",
                                 "premoderation": form.get("premoderation") == "on"}
    for name in ("title", "url"):
        if form.get(name, "").strip():
            values[name] = form[name]
    try:
        change = ThreadChange.model_validate(values)
        with db.transaction() as session:
            update_thread(session, found, thread_id, change, acting_moderator().name)
    except ValidationError as error:
        flash(f"Nothing was saved: {validation_message(error)[0]}.", "error")
    else:
        flash("Saved: the thread is " + ("closed" if change.closed else "open") +
              (", every comment held." if change.premoderation else "."), "success")
    return redirect(url_for(".thread", site=found.slug, thread_id=thread_id), 303)


def _site(slug: str, thread_id: str) -> Site:
    try:
        found = site_in_reach(db.session(), acting_moderator(), slug)
    except APIError as error:
        abort(404, error.message)
    if not valid_thread_id(thread_id):
        abort(404, "A thread id has 1 to 200 letters, digits, '-', '_' or '.'.")
    return found
