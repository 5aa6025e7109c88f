"""The moderators' overview page: charts of the last two weeks, drawn as SVG on the server;
and the live counts of the navigation (held, reported, open appeals)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, url_for
from sqlalchemy import func, select

from service import db
from service.accounts.auth import acting_moderator, current_moderator, login_required
from service.accounts.shell import nav_link
from service.comments.models import Appeal, AppealStatus, Comment, Report, Status
from service.moderation.scope import dashboard_scope, in_scope
from service.moderation.stats import bars, overview

bp = Blueprint("dashboard_stats", __name__, url_prefix="/dashboard",
               template_folder="../templates", static_folder="../static",
               static_url_path="/moderation-static")

nav_link(bp, "Stats", "dashboard_stats.index", order=16)

HISTOGRAM_MINUTES = (5, 15, 30, 60, 120, 240, 480, 1440)


@bp.get("/stats")
@login_required
def index() -> str:
    """Volumes, outcomes, the queue over time, moderators' speed, threads, agreement."""
    session = db.session()
    figures = overview(session, scope=dashboard_scope(session, acting_moderator()))
    labels = [day.strftime("%d %b") for day in figures.days]
    spread = [0] * (len(HISTOGRAM_MINUTES) + 1)
    for minutes in figures.human_all_minutes:
        spread[next((i for i, edge in enumerate(HISTOGRAM_MINUTES) if minutes <= edge),
                    len(HISTOGRAM_MINUTES))] += 1
    spread_labels = [f"≤ {edge // 60} h" if edge >= 60 else f"≤ {edge} min"
                     for edge in HISTOGRAM_MINUTES] + ["> 1 day"]
    charts = {
        "received": bars(labels, list(map(float, figures.received))),
        "queue": bars(labels, list(map(float, figures.queue_size))),
        "oldest": bars(labels, list(figures.oldest_wait_hours)),
        "human": bars(labels, list(figures.human_median_minutes)),
        "spread": bars(spread_labels, list(map(float, spread))),
    }
    return render_template("dashboard/stats.html", figures=figures, charts=charts)


@bp.get("/counts")
@login_required
def counts() -> Response:
    """``{nav link path: count}``: held comments, reported comments and open appeals."""
    session = db.session()
    on_sites = in_scope(Comment.site_id, dashboard_scope(session, acting_moderator()))
    held = session.scalar(select(func.count()).select_from(Comment)
                          .where(Comment.status == Status.HELD, on_sites)) or 0
    reported = session.scalar(select(func.count(func.distinct(Report.comment_id)))
                              .join(Comment, Comment.id == Report.comment_id)
                              .where(Report.dismissed_at.is_(None), on_sites)) or 0
    appeals = session.scalar(select(func.count()).select_from(Appeal)
                             .join(Comment, Comment.id == Appeal.comment_id)
                             .where(Appeal.status == AppealStatus.OPEN, on_sites)) or 0
    response = jsonify({url_for("dashboard_queue.index"): held,
                        url_for("dashboard_readers.reported_comments"): reported,
                        url_for("dashboard_readers.appeals"): appeals})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def _nav_counts() -> dict[str, str | None]:
    """The live counts' script, for the dashboard's base page (when logged in)."""
    if current_moderator() is None:
        return {}
    return {"nav_counts_script": url_for("dashboard_stats.static", filename="nav_counts.js"),
            "nav_counts_url": url_for("dashboard_stats.counts")}
