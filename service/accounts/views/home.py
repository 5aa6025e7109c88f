"""The dashboard's front door, and the shell's templates and static files."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, redirect, url_for
from werkzeug.wrappers import Response

from service.accounts.auth import login_required

PACKAGE = Path(__file__).resolve().parent.parent

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard",
               template_folder=str(PACKAGE / "templates"),
               static_folder=str(PACKAGE / "static"), static_url_path="/static")


@bp.get("/")
@login_required
def index() -> Response:
    """The queue is where moderators work."""
    return redirect(url_for("dashboard_queue.index"))
