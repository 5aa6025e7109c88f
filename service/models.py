"""Every table, imported in one place for Alembic and the tests."""

from service.accounts.models import ApiToken, AuditEntry, Moderator
from service.comments.models import Appeal, Comment, Decision, Event, Report
from service.moderation.learning.models import Candidate, RescoreRun, ShadowDecision
from service.perspective.models import PerspectiveAnalysis, PerspectiveKey, SuggestedScore
from service.sites import SiteSettings
from service.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFanOut,
)

__all__ = [
    "ApiToken", "Appeal", "AuditEntry", "Candidate", "Comment", "Decision", "Event", "Moderator",
    "PerspectiveAnalysis", "PerspectiveKey", "Report", "RescoreRun", "ShadowDecision",
    "SiteSettings", "SuggestedScore",
    "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint", "WebhookFanOut",
]
