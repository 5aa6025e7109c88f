"""The webhook endpoints API, for admins: ``/api/v1/webhooks``."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, current_app, request, url_for
from sqlalchemy import select

from service import db
from service.accounts.auth import current_moderator, require_token
from service.apidoc import Tag
from service.errors import APIError, json_object, whole_number
from service.sites.services import UnknownSite
from service.webhooks import responses as replies
from service.webhooks import services
from service.webhooks.models import (
    MAX_DELIVERY_ID,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from service.webhooks.schemas import DeliveryQuery, EndpointChanges, NewEndpoint
from service.webhooks.urls import UnsafeURL

log = logging.getLogger(__name__)

bp = Blueprint("webhooks_api", __name__, url_prefix="/api/v1/webhooks")

MAX_PAGE_SIZE = 100
doc = Tag("webhooks")
NOT_FOUND = {404: "No such endpoint."}
NO_DELIVERY = {404: "No such endpoint or delivery."}
DISABLED = {409: "The endpoint is disabled."}


@bp.post("")
@doc(replies.WebhookEndpointWithSecret, 201, body=NewEndpoint, errors={
    422: "The input is not valid, or the URL not allowed; the message says why."})
@require_token(role="admin")
def create_endpoint() -> tuple[dict[str, Any], int, dict[str, str]]:
    """Register an endpoint (201); the answer holds its secret, shown this once."""
    new = NewEndpoint.model_validate(json_object())
    with db.transaction() as session, _url_checked():
        endpoint = services.create(session, by=_admin(), **new.model_dump(),
                                    allow_private=_allow_private())
    location = url_for(".get_endpoint", endpoint_id=endpoint.id)
    return (endpoint.as_dict() | {"secret": endpoint.secret}, 201,
            {"Location": location, "Cache-Control": "no-store"})


@bp.get("")
@doc(replies.Webhooks)
@require_token(role="admin")
def list_endpoints() -> dict[str, Any]:
    """Every endpoint, oldest first, without secrets."""
    found = db.session().scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.created_at))
    return {"webhooks": [endpoint.as_dict() for endpoint in found]}


@bp.get("/<endpoint_id>")
@doc(replies.WebhookEndpoint, errors=NOT_FOUND)
@require_token(role="admin")
def get_endpoint(endpoint_id: str) -> dict[str, Any]:
    """One endpoint, without its secrets."""
    return _find(endpoint_id).as_dict()


@bp.patch("/<endpoint_id>")
@doc(replies.WebhookEndpoint, body=EndpointChanges, errors=NOT_FOUND | {
    422: "The input is not valid, or the URL not allowed; the message says why."})
@require_token(role="admin")
def change_endpoint(endpoint_id: str) -> dict[str, Any]:
    """Change the url, events, description or enabled; disabling fails pending deliveries."""
    changes = EndpointChanges.model_validate(json_object()).changes()
    with db.transaction() as session, _url_checked():
        endpoint = _find(endpoint_id)
        services.change(session, endpoint, changes, by=_admin(), allow_private=_allow_private())
    return endpoint.as_dict()


@bp.delete("/<endpoint_id>")
@doc(None, 204, errors=NOT_FOUND)
@require_token(role="admin")
def delete_endpoint(endpoint_id: str) -> tuple[None, int]:
    """Delete an endpoint with its deliveries and their log (204)."""
    with db.transaction() as session:
        services.delete(session, _find(endpoint_id), by=_admin())
    return None, 204


@bp.post("/<endpoint_id>/rotate-secret")
@doc(replies.WebhookEndpointWithSecret, errors=NOT_FOUND)
@require_token(role="admin")
def rotate_secret(endpoint_id: str) -> tuple[dict[str, Any], int, dict[str, str]]:
    """A new secret, shown this once; the old one also signs during the grace period."""
    with db.transaction() as session:
        endpoint = _find(endpoint_id)
        services.rotate_secret(session, endpoint,
                                current_app.config["WEBHOOK_SECRET_GRACE_SECONDS"], by=_admin())
    return (endpoint.as_dict() | {"secret": endpoint.secret}, 200,
            {"Cache-Control": "no-store"})


@bp.get("/<endpoint_id>/deliveries")
@doc(replies.Deliveries, query=DeliveryQuery, errors=NOT_FOUND | {
    400: "A bad status, limit or before."})
@require_token(role="admin")
def list_deliveries(endpoint_id: str) -> dict[str, Any]:
    """The endpoint's deliveries, newest first; ``?status=`` filters, ``?before=`` pages."""
    endpoint = _find(endpoint_id)
    limit = _int_arg("limit", 50, 1, MAX_PAGE_SIZE)
    query = (select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
             .order_by(WebhookDelivery.id.desc()).limit(limit + 1))
    if status := request.args.get("status"):
        if status not in set(DeliveryStatus):
            raise APIError(400, "invalid_status",
                           f"status must be one of {', '.join(DeliveryStatus)}.")
        query = query.where(WebhookDelivery.status == status)
    if "before" in request.args:
        query = query.where(WebhookDelivery.id < _int_arg("before", 0, 1, MAX_DELIVERY_ID))
    found = list(db.session().scalars(query))
    page = found[:limit]
    return {
        "deliveries": [delivery.as_dict() for delivery in page],
        "next_before": page[-1].id if len(found) > limit else None,
    }


@bp.get("/<endpoint_id>/deliveries/<int:delivery_id>")
@doc(replies.WebhookDelivery, errors=NO_DELIVERY)
@require_token(role="admin")
def get_delivery(endpoint_id: str, delivery_id: int) -> dict[str, Any]:
    """One delivery with the log of its attempts, oldest first."""
    delivery = _find_delivery(endpoint_id, delivery_id)
    return delivery.as_dict() | {
        "attempt_log": [attempt.as_dict() for attempt in delivery.attempt_log]}


@bp.post("/<endpoint_id>/deliveries/<int:delivery_id>/resend")
@doc(replies.WebhookDelivery, 202, errors=NO_DELIVERY | DISABLED)
@require_token(role="admin")
def resend_delivery(endpoint_id: str, delivery_id: int) -> tuple[dict[str, Any], int]:
    """Send a delivery again now, with a fresh retry schedule (202)."""
    with db.transaction() as session:
        delivery = _find_delivery(endpoint_id, delivery_id)
        _check_enabled(delivery.endpoint)
        services.resend(session, delivery, by=_admin())
    return delivery.as_dict(), 202


@bp.post("/<endpoint_id>/deliveries/resend-failed")
@doc(replies.Resent, 202, errors=NOT_FOUND | DISABLED)
@require_token(role="admin")
def resend_failed(endpoint_id: str) -> tuple[dict[str, Any], int]:
    """Send every failed delivery of the endpoint again (202)."""
    with db.transaction() as session:
        endpoint = _find(endpoint_id)
        _check_enabled(endpoint)
        due = services.resend_failed(session, endpoint, by=_admin())
    return {"resent": len(due)}, 202



@contextmanager
def _url_checked() -> Iterator[None]:
    """Turn an ``UnsafeURL`` or an unknown site into a 422 that says what is wrong."""
    try:
        yield
    except UnsafeURL as error:
        raise APIError(422, "invalid_input", f"url: {error}",
                       fields={"url": str(error)}) from None
    except UnknownSite as error:
        raise APIError(422, "invalid_input", f"site: {error}",
                       fields={"site": str(error)}) from None


def _find(endpoint_id: str) -> WebhookEndpoint:
    try:
        key = uuid.UUID(endpoint_id)
    except ValueError:
        key = None
    endpoint = db.session().get(WebhookEndpoint, key) if key else None
    if endpoint is None:
        raise APIError(404, "not_found", "No webhook endpoint has that id.")
    return endpoint


def _find_delivery(endpoint_id: str, delivery_id: int) -> WebhookDelivery:
    delivery = (db.session().get(WebhookDelivery, delivery_id)
                if delivery_id <= MAX_DELIVERY_ID else None)
    if delivery is None or delivery.endpoint_id != _find(endpoint_id).id:
        raise APIError(404, "not_found", "That endpoint has no delivery with that id.")
    return delivery


def _check_enabled(endpoint: WebhookEndpoint) -> None:
    if not endpoint.enabled:
        raise APIError(409, "endpoint_disabled", "The endpoint is disabled; enable it "
                       "(PATCH {\"enabled\": true}) before re-sending.")



def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    return whole_number(name, raw, low, high)


def _admin() -> str:
    moderator = current_moderator()
    assert moderator is not None  # require_token saw to it
    return moderator.name


def _allow_private() -> bool:
    return current_app.config["WEBHOOK_ALLOW_PRIVATE_URLS"]
