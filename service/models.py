"""Every table, imported in one place for Alembic and the tests."""

from service.accounts.models import ApiToken, AuditEntry, Moderator
from service.comments.models import Comment, Decision, Event
from service.sites import SiteSettings
from service.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFanOut,
)

__all__ = [
    "ApiToken", "AuditEntry", "Comment", "Decision", "Event", "Moderator", "SiteSettings",
    "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint", "WebhookFanOut",
]
