"""What the moderation API answers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from service.apidoc import Reply, Scores, Uuid
from service.comments.responses import Appeal, Comment, Decision, Report, Status


class Parent(Reply):
    """The comment this one answers."""

    id: Uuid
    author: str
    body: str
    status: Status


class QueueThread(Reply):
    """The comment's thread: title and url (null until known), closed, and its comments'
    counts per status."""

    id: str
    title: str | None
    url: str | None
    closed: bool
    counts: dict[str, int]


class Span(Reply):
    """A character span of the body and how much it drove the score."""

    start: int
    end: int
    weight: float


class ModeratedComment(Comment):
    """A comment as moderators see it: its text, scores and thread in any status."""

    site: str = Field(description="The site's slug.")
    scores: Scores
    flagged: dict[str, Literal["hold", "reject"]] = Field(description=(
        "Labels whose score reached a threshold."))
    parent: Parent | None
    thread: QueueThread
    commenter: str | None = Field(description=(
        "The signed-in commenter's sub (their page: "
        "/api/v1/moderation/sites/{site}/commenters/{sub}); null: anonymous."))
    decisions: list[Decision] = Field(default_factory=list, description=(
        "Only on a single comment: every decision on it, oldest first."))
    explanation: list[Span] = Field(default_factory=list, description=(
        "Only on a single comment: the character spans of the body that drove the model's "
        "toxicity score of a comment it held, strongest first; empty otherwise."))


class Queue(Reply):
    """A page of the queue."""

    comments: list[ModeratedComment]
    total: int = Field(description="Comments matching the filters.")
    next_cursor: str | None


class BulkResult(Reply):
    """The decisions taken, and the comments left alone."""

    decisions: list[Decision]
    unchanged: list[Uuid] = Field(description="Comments in that status already, left alone.")


class ReportedComment(Comment):
    """A comment with the reports no moderator dismissed."""

    reasons: dict[str, int] = Field(description="Active reports by reason.")
    reports: list[Report]


class ReportedComments(Reply):
    """Comments with reports no moderator dismissed, most reported first."""

    comments: list[ReportedComment]


class Dismissal(Reply):
    """The reports, dismissed."""

    comment_id: Uuid
    dismissed: int
    status: Status


class AppealInQueue(Appeal):
    """An appeal with its comment and the decision under appeal."""

    comment: Comment
    decision: Decision


class AppealQueue(Reply):
    """The appeals, oldest first."""

    appeals: list[AppealInQueue]
