"""What the webhooks API answers."""

from __future__ import annotations

from pydantic import Field

from service.apidoc import Reply, Time, Uuid
from service.webhooks.models import DeliveryStatus
from service.webhooks.schemas import EventType


class WebhookEndpoint(Reply):
    """The endpoint, without its secrets."""

    id: Uuid
    url: str
    site: str | None = Field(description="The site whose events it receives; null: every "
                                         "site's.")
    description: str
    events: list[EventType]
    enabled: bool
    disabled_reason: str | None = Field(description=(
        "Why it was disabled: by whom, 410 Gone, or five days of failures."))
    failing_since: Time | None = Field(description="Start of the current run of failures.")
    previous_secret_expires_at: Time | None = Field(description=(
        "Until then the secret before the last rotation signs too."))
    created_at: Time
    updated_at: Time | None


class WebhookEndpointWithSecret(WebhookEndpoint):
    """The endpoint with its secret, shown only here."""

    secret: str = Field(pattern="^whsec_", description="Signs the deliveries; shown only here.")


class Webhooks(Reply):
    """Every endpoint, oldest first."""

    webhooks: list[WebhookEndpoint]


class WebhookAttempt(Reply):
    """One attempt of a delivery."""

    number: int
    attempted_at: Time
    url: str
    status_code: int | None
    latency_ms: int | None
    response_excerpt: str | None = Field(description="The first 1 KB.")
    error: str | None
    succeeded: bool


class WebhookDelivery(Reply):
    """A delivery of an event to an endpoint."""

    id: int
    endpoint_id: Uuid
    event_id: str = Field(description="The webhook-id header it is sent with.")
    event_type: EventType
    status: DeliveryStatus
    attempts: int
    next_attempt_at: Time | None
    last_status_code: int | None
    last_error: str | None
    created_at: Time
    finished_at: Time | None
    attempt_log: list[WebhookAttempt] = Field(default_factory=list, description=(
        "Only on a single delivery: its attempts, oldest first."))


class Deliveries(Reply):
    """A page of deliveries, newest first."""

    deliveries: list[WebhookDelivery]
    next_before: int | None = Field(description="The next page's before; null: the last page.")


class Resent(Reply):
    """How many failed deliveries are queued again."""

    resent: int
