"""What admins do to webhook endpoints, for the API and the dashboard alike.

Each function changes the session and the caller commits; the attempts that
``resend``/``resend_failed`` make due are queued once it has.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.accounts.audit import record
from service.db import utcnow
from service.queueing import enqueue_after_commit
from service.sites.models import Site
from service.sites.services import site_named
from service.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from service.webhooks.signing import new_secret
from service.webhooks.tasks import attempt_job
from service.webhooks.urls import check_url


def create(session: Session, *, by: str, url: str, events: Sequence[str],
           description: str = "", enabled: bool = True, site: str | None = None,
           allow_private: bool = False) -> WebhookEndpoint:
    """Add an endpoint with a new secret to the session; ``by`` is the admin's name.

    ``site`` (a slug) limits it to that site's events; None: every site's.

    Raises:
        UnsafeURL: when ``url`` may not be called.
        UnknownSite: when there is no site ``site``.
    """
    check_url(url, allow_private=allow_private)
    now = utcnow()
    endpoint = WebhookEndpoint(url=url, events=list(dict.fromkeys(events)),
                               description=description, enabled=enabled, secret=new_secret(),
                               site=_site(session, site), created_at=now, updated_at=now)
    session.add(endpoint)
    session.flush()
    record(session, actor=by, action="webhook.created", subject=str(endpoint.id),
           details={"url": url, "events": endpoint.events, "site": site})
    return endpoint


def change(session: Session, endpoint: WebhookEndpoint, changes: dict[str, Any], *, by: str,
           allow_private: bool = False) -> None:
    """Apply ``changes`` (any of url, events, description, enabled).

    Raises:
        UnsafeURL: when a new ``url`` may not be called.
    """
    if "url" in changes:
        check_url(changes["url"], allow_private=allow_private)
        endpoint.url = changes["url"]
    if "events" in changes:
        endpoint.events = list(dict.fromkeys(changes["events"]))
    if "description" in changes:
        endpoint.description = changes["description"]
    if "site" in changes:
        endpoint.site = _site(session, changes["site"])
    if changes.get("enabled") is True and not endpoint.enabled:
        endpoint.enabled, endpoint.disabled_reason, endpoint.failing_since = True, None, None
    elif changes.get("enabled") is False and endpoint.enabled:
        disable(session, endpoint, f"Disabled by {by}.")
    record(session, actor=by, action="webhook.changed", subject=str(endpoint.id),
           details=changes)


def _site(session: Session, slug: str | None) -> Site | None:
    return None if slug is None else site_named(session, slug)


def delete(session: Session, endpoint: WebhookEndpoint, *, by: str) -> None:
    """Delete an endpoint with its deliveries and their log."""
    record(session, actor=by, action="webhook.deleted", subject=str(endpoint.id),
           details={"url": endpoint.url})
    session.delete(endpoint)


def disable(session: Session, endpoint: WebhookEndpoint, reason: str) -> None:
    """Disable an endpoint and fail its pending deliveries (an admin may re-send them)."""
    endpoint.enabled, endpoint.disabled_reason = False, reason
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id,
               WebhookDelivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.FAILED, finished_at=utcnow(), next_attempt_at=None,
                last_error=f"endpoint disabled: {reason}")
    )


def rotate_secret(session: Session, endpoint: WebhookEndpoint, grace_seconds: int, *,
                  by: str) -> str:
    """Give the endpoint a new secret; the old one signs too for ``grace_seconds``."""
    record(session, actor=by, action="webhook.secret_rotated", subject=str(endpoint.id),
           details={"grace_seconds": grace_seconds})
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = utcnow() + timedelta(seconds=grace_seconds)
    endpoint.secret = new_secret()
    return endpoint.secret


def resend(session: Session, delivery: WebhookDelivery, *, by: str) -> tuple[int, int]:
    """Make a delivery due now, with a fresh retry schedule, whatever its status.

    Returns:
        The delivery id and the number of the attempt to queue.
    """
    record(session, actor=by, action="webhook.resent", subject=str(delivery.endpoint_id),
           details={"deliveries": [delivery.id]})
    return _due_now(delivery)


def resend_failed(session: Session, endpoint: WebhookEndpoint, *,
                  by: str) -> list[tuple[int, int]]:
    """``resend`` every failed delivery of the endpoint; return what to queue."""
    failed = session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id,
                                      WebhookDelivery.status == DeliveryStatus.FAILED)
        .order_by(WebhookDelivery.id)
    ).all()
    if failed:
        record(session, actor=by, action="webhook.resent", subject=str(endpoint.id),
               details={"deliveries": [delivery.id for delivery in failed]})
    return [_due_now(delivery) for delivery in failed]


def _due_now(delivery: WebhookDelivery) -> tuple[int, int]:
    delivery.status, delivery.finished_at = DeliveryStatus.PENDING, None
    delivery.round_attempts, delivery.next_attempt_at = 0, utcnow()
    session = Session.object_session(delivery)
    assert session is not None
    enqueue_after_commit(session, attempt_job(delivery.id, delivery.attempts + 1))
    return delivery.id, delivery.attempts + 1
