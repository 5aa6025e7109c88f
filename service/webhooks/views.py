"""Webhook pages of the dashboard, for admins: ``/dashboard/webhooks``."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from pydantic import ValidationError
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from service import db
from service.accounts.auth import current_moderator, login_required
from service.accounts.models import Role
from service.accounts.shell import nav_link
from service.errors import APIError, validation_message, whole_number
from service.sites.services import UnknownSite
from service.webhooks import services
from service.webhooks.models import (
    EVENT_TYPES,
    MAX_DELIVERY_ID,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from service.webhooks.schemas import EndpointChanges, NewEndpoint
from service.webhooks.urls import UnsafeURL

bp = Blueprint("webhooks_dashboard", __name__, url_prefix="/dashboard/webhooks",
               template_folder="templates")

PAGE_SIZE = 50


nav_link(bp, "Webhooks", "webhooks_dashboard.index", role=Role.ADMIN, order=50)


@bp.get("")
@login_required(role=Role.ADMIN)
def index() -> str:
    """The endpoints, with their failed and pending deliveries, and a form to add one."""
    return render_template("webhooks/index.html", **_index_page())


@bp.post("")
@login_required(role=Role.ADMIN)
def create() -> tuple[str, int, dict[str, str]]:
    """Register an endpoint and show its secret, this once."""
    submitted = _endpoint_form()
    try:
        new = NewEndpoint.model_validate(submitted)
        with db.transaction() as session:
            endpoint = services.create(session, by=_admin(), **new.model_dump(),
                                        allow_private=_allow_private())
    except (ValidationError, UnsafeURL, UnknownSite) as error:
        flash(f"The endpoint was not added: {_explain(error)}.", "error")
        page = _index_page() | {"form": submitted}
        return render_template("webhooks/index.html", **page), 422, {}
    return (render_template("webhooks/index.html", **_index_page(), secret=endpoint.secret,
                            created=endpoint), 201, {"Cache-Control": "no-store"})


@bp.get("/<endpoint_id>")
@login_required(role=Role.ADMIN)
def detail(endpoint_id: str) -> str:
    """An endpoint's settings and its deliveries, newest first."""
    return render_template("webhooks/endpoint.html", **_endpoint_page(_find(endpoint_id)))


@bp.post("/<endpoint_id>")
@login_required(role=Role.ADMIN)
def change(endpoint_id: str) -> Response | tuple[str, int]:
    """Save the endpoint's url, events, description and whether it is enabled."""
    found = _find(endpoint_id)
    submitted = _endpoint_form()
    try:
        changes = EndpointChanges.model_validate(submitted).changes()
        with db.transaction() as session:
            services.change(session, found, changes, by=_admin(),
                             allow_private=_allow_private())
    except (ValidationError, UnsafeURL, UnknownSite) as error:
        flash(f"Nothing was saved: {_explain(error)}.", "error")
        return render_template("webhooks/endpoint.html",
                               **_endpoint_page(found) | {"form": submitted}), 422
    flash("Saved.", "success")
    return redirect(url_for(".detail", endpoint_id=found.id), 303)


@bp.post("/<endpoint_id>/rotate-secret")
@login_required(role=Role.ADMIN)
def rotate_secret(endpoint_id: str) -> tuple[str, int, dict[str, str]]:
    """Give the endpoint a new secret and show it, this once."""
    found = _find(endpoint_id)
    grace = current_app.config["WEBHOOK_SECRET_GRACE_SECONDS"]
    with db.transaction() as session:
        secret = services.rotate_secret(session, found, grace, by=_admin())
    return (render_template("webhooks/endpoint.html", **_endpoint_page(found), secret=secret),
            200, {"Cache-Control": "no-store"})


@bp.post("/<endpoint_id>/delete")
@login_required(role=Role.ADMIN)
def delete(endpoint_id: str) -> Response:
    found = _find(endpoint_id)
    with db.transaction() as session:
        services.delete(session, found, by=_admin())
    flash(f"The endpoint {found.url} is deleted, with its deliveries.", "success")
    return redirect(url_for(".index"), 303)


@bp.get("/<endpoint_id>/deliveries/<int:delivery_id>")
@login_required(role=Role.ADMIN)
def delivery(endpoint_id: str, delivery_id: int) -> str:
    """One delivery and the log of its attempts."""
    found = _find_delivery(endpoint_id, delivery_id)
    return render_template("webhooks/delivery.html", endpoint=found.endpoint, delivery=found)


@bp.post("/<endpoint_id>/deliveries/<int:delivery_id>/resend")
@login_required(role=Role.ADMIN)
def resend(endpoint_id: str, delivery_id: int) -> Response:
    """Send one delivery again now."""
    found = _find_delivery(endpoint_id, delivery_id)
    if _refuse_if_disabled(found.endpoint):
        return redirect(url_for(".detail", endpoint_id=endpoint_id), 303)
    with db.transaction() as session:
        services.resend(session, found, by=_admin())
    flash(f"Delivery {delivery_id} is being sent again.", "success")
    return redirect(url_for(".detail", endpoint_id=endpoint_id), 303)


@bp.post("/<endpoint_id>/deliveries/resend-failed")
@login_required(role=Role.ADMIN)
def resend_failed(endpoint_id: str) -> Response:
    """Send every failed delivery of the endpoint again now."""
    found = _find(endpoint_id)
    if not _refuse_if_disabled(found):
        with db.transaction() as session:
            due = services.resend_failed(session, found, by=_admin())
        flash(f"{len(due)} failed deliveries are being sent again." if due
              else "No delivery has failed.", "success")
    return redirect(url_for(".detail", endpoint_id=found.id), 303)


def _index_page() -> dict[str, Any]:
    session = db.session()
    counts: dict[tuple[uuid.UUID, str], int] = {
        (endpoint_id, status): count for endpoint_id, status, count in session.execute(
            select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count())
            .where(WebhookDelivery.status != DeliveryStatus.SUCCEEDED)
            .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status))
    }
    found = session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.created_at)).all()
    return {"endpoints": found, "counts": counts, "event_types": EVENT_TYPES,
            "form": {"events": list(EVENT_TYPES)}}


def _endpoint_page(found: WebhookEndpoint) -> dict[str, Any]:
    status = request.args.get("status", "")
    query = (select(WebhookDelivery).where(WebhookDelivery.endpoint_id == found.id)
             .order_by(WebhookDelivery.id.desc()).limit(PAGE_SIZE + 1))
    if status in set(DeliveryStatus):
        query = query.where(WebhookDelivery.status == status)
    if before := request.args.get("before", ""):
        try:
            query = query.where(WebhookDelivery.id < whole_number("before", before, 1,
                                                                  MAX_DELIVERY_ID))
        except APIError as error:
            abort(400, error.message)
    deliveries = list(db.session().scalars(query))
    failed = db.session().scalar(select(func.count()).select_from(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == found.id, WebhookDelivery.status == DeliveryStatus.FAILED))
    return {"endpoint": found, "deliveries": deliveries[:PAGE_SIZE], "failed": failed,
            "older": deliveries[PAGE_SIZE - 1].id if len(deliveries) > PAGE_SIZE else None,
            "status": status, "statuses": list(DeliveryStatus), "event_types": EVENT_TYPES,
            "form": {"url": found.url, "events": found.events,
                     "description": found.description, "enabled": found.enabled,
                     "site": found.site.slug if found.site else None}}


def _endpoint_form() -> dict[str, Any]:
    return {"url": request.form.get("url", ""), "events": request.form.getlist("events"),
            "description": request.form.get("description", ""),
            "enabled": request.form.get("enabled") == "on",
            "site": request.form.get("site") or None}



def _refuse_if_disabled(found: WebhookEndpoint) -> bool:
    if found.enabled:
        return False
    flash("The endpoint is disabled: enable it before re-sending.", "error")
    return True


def _explain(error: ValidationError | UnsafeURL | UnknownSite) -> str:
    if isinstance(error, ValidationError):
        return validation_message(error)[0]
    return f"site: {error}" if isinstance(error, UnknownSite) else f"url: {error}"


def _find(endpoint_id: str) -> WebhookEndpoint:
    try:
        found = db.session().get(WebhookEndpoint, uuid.UUID(endpoint_id))
    except ValueError:
        found = None
    if found is None:
        abort(404, "No webhook endpoint has that id.")
    return found


def _find_delivery(endpoint_id: str, delivery_id: int) -> WebhookDelivery:
    found = (db.session().get(WebhookDelivery, delivery_id)
             if delivery_id <= MAX_DELIVERY_ID else None)
    if found is None or found.endpoint_id != _find(endpoint_id).id:
        abort(404, "That endpoint has no delivery with that id.")
    return found


def _admin() -> str:
    moderator = current_moderator()
    assert moderator is not None  # login_required saw to it
    return moderator.name


def _allow_private() -> bool:
    return current_app.config["WEBHOOK_ALLOW_PRIVATE_URLS"]
