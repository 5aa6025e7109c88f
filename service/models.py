"""Every table, imported in one place for Alembic and the tests."""

from service.accounts.models import ApiToken, AuditEntry, Moderator
from service.commenters.models import Commenter
from service.comments.models import Appeal, Comment, Decision, Event, Nudge, Report
from service.moderation.learning.models import (
    Candidate,
    RescoreRun,
    SentenceVector,
    ShadowDecision,
)
from service.perspective.models import PerspectiveAnalysis, PerspectiveKey, SuggestedScore
from service.sites.models import Site, moderator_sites
from service.threads.models import Thread
from service.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFanOut,
)

__all__ = [
    "ApiToken", "Appeal", "AuditEntry", "Candidate", "Comment", "Commenter", "Decision",
    "Event", "Moderator", "Nudge", "PerspectiveAnalysis", "PerspectiveKey", "Report",
    "RescoreRun", "SentenceVector", "ShadowDecision", "Site", "SuggestedScore", "Thread",
    "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint", "WebhookFanOut",
    "moderator_sites",
]
