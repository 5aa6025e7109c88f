"""Learning from moderators, on the dashboard: the calibration report, the candidates and
their shadow reports, promotion (admins, audited) and rescoring with its progress."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from service import db
from service.accounts.auth import acting_moderator, login_required
from service.accounts.models import Role
from service.accounts.shell import nav_link
from service.moderation.learning.calibration import calibration_report
from service.moderation.learning.candidates import (
    CandidateError,
    find_candidate,
    promote,
    stale,
)
from service.moderation.learning.candidates import start_shadow as shadow_candidate
from service.moderation.learning.labels import decided_comments, site_policy
from service.moderation.learning.models import Candidate, RescoreRun, RescoreStatus
from service.moderation.learning.report import OUTCOMES, candidate_report
from service.moderation.learning.tasks import adapt_job, start_rescore
from service.moderation.learning.vectors import current_space
from service.moderation.stats import bars, line
from service.moderation.views.settings import settings_site
from service.queueing import enqueue

bp = Blueprint("dashboard_learning", __name__, url_prefix="/dashboard/learning",
               template_folder="../templates")

nav_link(bp, "Learning", "dashboard_learning.index", role=Role.ADMIN, order=18)


@bp.get("")
@login_required(role=Role.ADMIN)
def index() -> str:
    """The site's model bands against its moderators, its candidates, its rescoring runs
    (the site chosen with the switcher, else ``default``)."""
    session, site = db.session(), settings_site()
    policy = site_policy(session, current_app.config, site.slug)
    rows = decided_comments(session, site.slug)
    labels = calibration_report(rows, policy)
    curves = {report.label: {
        "line": line([(recall, precision) for _, recall, precision in report.curve]),
        "hold": line([(report.hold.recall or 0, report.hold.precision or 0)])
        if report.hold.flagged else None} for report in labels}
    candidates = list(session.scalars(select(Candidate).where(Candidate.site == site.slug)
                                      .order_by(Candidate.id.desc()).limit(20)))
    space = current_space(session)
    stale_names = {c.name for c in candidates if stale(c, space)}
    runs = list(session.scalars(select(RescoreRun).where(RescoreRun.site == site.slug)
                                .order_by(RescoreRun.id.desc()).limit(5)))
    active = any(run.status in (RescoreStatus.QUEUED, RescoreStatus.RUNNING) for run in runs)
    return render_template("dashboard/learning.html", decided=len(rows),
                           rejected=sum(row.rejected for row in rows), labels=labels,
                           curves=curves, candidates=candidates, stale_names=stale_names,
                           runs=runs, active=active, site=site)


@bp.get("/candidates/<name>")
@login_required(role=Role.ADMIN)
def candidate(name: str) -> str:
    """A candidate's report: agreement with moderators, what it would change per day."""
    session = db.session()
    try:
        found = find_candidate(session, name)
    except CandidateError:
        abort(404)
    report = candidate_report(session, found,
                              site_policy(session, current_app.config, found.site))
    days = [day["day"][5:] for day in report["per_day"]]
    charts = {outcome: bars(days, [float(day["would_change"][outcome])
                                   for day in report["per_day"]]) for outcome in OUTCOMES}
    return render_template("dashboard/candidate.html", candidate=found, report=report,
                           charts=charts, outcomes=OUTCOMES)


@bp.post("/candidates")
@login_required(role=Role.ADMIN)
def build() -> Response:
    """Ask a worker to build a candidate from the moderators' decisions now."""
    try:
        enqueue([adapt_job(settings_site().slug, acting_moderator().name)])
    except RedisError:
        flash("The job queue is unavailable; try again shortly.", "error")
    else:
        flash("A worker is building a candidate; it appears here when done.", "success")
    return redirect(url_for(".index"), 303)


@bp.post("/candidates/<name>/shadow")
@login_required(role=Role.ADMIN)
def start_shadow(name: str) -> Response:
    """Start the candidate's shadow scoring (audited)."""
    return _change(name, lambda session, by: shadow_candidate(session, name, by),
                   "now scores new comments in shadow")


@bp.post("/candidates/<name>/promote")
@login_required(role=Role.ADMIN)
def promote_candidate(name: str) -> Response:
    """Promote the candidate, recording the report the admin saw (audited); refused when it
    may publish more toxic comments than the site allows, unless forced (audited as such)."""
    force = request.form.get("force") == "yes"

    def act(session: Session, by: str) -> Candidate:
        found = find_candidate(session, name)
        policy = site_policy(session, current_app.config, found.site)
        report = candidate_report(session, found, policy)
        return promote(session, name, by, report, policy, force=force)

    return _change(name, act, "is promoted: it decides new comments. Rescore the pending "
                              "and held ones to apply it to them")


@bp.post("/rescore")
@login_required(role=Role.ADMIN)
def rescore() -> Response:
    """Queue a rescoring of the pending and held comments (audited)."""
    with db.transaction() as session:
        run = start_rescore(session, acting_moderator().name, settings_site().slug)
        run_id = run.id
    flash(f"Rescoring run {run_id} is queued; its progress shows below.", "success")
    return redirect(url_for(".index"), 303)


def _change(name: str, act: Callable[[Session, str], Candidate], done: str) -> Response:
    try:
        with db.transaction() as session:
            act(session, acting_moderator().name)
    except CandidateError as error:
        if "no candidate named" in str(error):
            abort(404)
        flash(str(error), "error")
    else:
        flash(f"{name} {done}.", "success")
    return redirect(url_for(".candidate", name=name), 303)
