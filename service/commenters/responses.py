"""What the commenters' moderation API answers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from service.apidoc import Reply, Time
from service.comments.responses import Comment, Decision, Report


class Commenter(Reply):
    """A signed-in commenter and their standing."""

    sub: str = Field(description="The publisher's user id.")
    name: str
    status: Literal["normal", "premoderated", "trusted", "banned"]
    note: str
    created_at: Time
    updated_at: Time | None
    updated_by: str | None
    erased_at: Time | None
    site: str = ""


class ThreadTitle(Reply):
    """The comment's thread."""

    id: str
    title: str | None


class CommentHistory(Comment):
    """One of their comments, with its thread, decisions and reports."""

    thread: ThreadTitle
    decisions: list[Decision]
    reports: list[Report]


class StandingNote(Reply):
    """A moderator's change of their standing."""

    action: str
    actor: str
    note: str | None
    details: dict[str, Any] | None
    created_at: Time


class CommenterProfile(Commenter):
    """The commenter: standing, counts, their comments, newest first, and notes."""

    counts: dict[str, int] = Field(description="comments, per status, reports and decisions.")
    comments: list[CommentHistory]
    notes: list[StandingNote]


class CommenterExport(CommenterProfile):
    """Everything kept about the commenter (GDPR export): every comment."""

    exported_at: Time


class Erasure(Reply):
    """What was erased: their comments' text and their name."""

    site: str
    commenter: Commenter
    comments_erased: int
