"""Every table, imported in one place for Alembic and the tests."""

from service.comments.models import Comment, Decision, Event

__all__ = ["Comment", "Decision", "Event"]
