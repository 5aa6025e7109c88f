"""Every table, imported in one place for Alembic and the tests."""

from service.comments.models import Comment, Decision, Event
from service.moderation.models import ApiToken, AuditEntry, Moderator
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
