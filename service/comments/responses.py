"""What the comments API answers (and the moderation API builds on)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from service.apidoc import Reply, Scores, Time, Uuid

Status = Literal["pending", "approved", "held", "rejected"]


class Comment(Reply):
    """A comment: its text only once it is published."""

    id: Uuid
    thread_id: str
    parent_id: Uuid | None
    status: Status
    created_at: Time
    decided_at: Time | None
    author: str = Field(default="", description="Only once the comment is approved.")
    body: str = Field(default="", description="Only once the comment is approved.")
    listed: bool = Field(default=True, description=(
        "Whether a published comment shows in the thread: a reply waits for the comment "
        "it answers to be published."))
    listing_note: str = Field(default="", description="Why a published comment is not listed "
                                                      "yet.")


class PostedComment(Comment):
    """Stored: pending and queued for scoring, or held or rejected at once by a link rule
    of the spam stage."""

    author_token: str = Field(description=(
        "Shows the author their comment (X-Author-Token); kept by the service only hashed. "
        "Keep it with the comment."))


class Reason(Reply):
    """Why a decision was taken, in plain words."""

    code: str
    text: str


class AppealState(Reply):
    """For a rejected (or appealed) comment: until when and how to appeal, and the
    appeal's status and outcome."""

    status: Literal["open", "upheld", "overturned"] | None
    until: Time = ""
    open: bool = False
    how: str = ""
    text: str = Field(default="", description="What to tell the author now.")
    created_at: Time = ""
    decided_at: Time = ""
    reason: str = ""


class AuthorView(Comment):
    """The author's view of their comment: their text, the outcome and its reason."""

    outcome_text: str = Field(description="What was decided, in words.")
    automated: bool = Field(default=False, description=(
        "Whether automated means took the latest decision."))
    decided_by: Literal["automated means", "a moderator"] = Field(
        default="a moderator", description="The same, in words.")
    reason: Reason | None = Field(default=None, description=(
        "Why it is held or not published, in plain words."))
    appeal: AppealState | None = None


class PublicSite(Reply):
    """The site the thread is on."""

    slug: str
    locale: str
    anonymous_allowed: bool


class PublicThread(Reply):
    """The thread: its headline and link (null until a page of an allowed origin gives
    them), and whether it is closed to new comments."""

    id: str
    title: str | None
    url: str | None
    closed: bool


class CommentPage(Reply):
    """A page of the thread's published comments."""

    thread_id: str
    site: PublicSite
    thread: PublicThread
    comments: list[Comment]
    next_cursor: str | None


class ReportAccepted(Reply):
    """The report, received."""

    comment_id: Uuid
    counted: bool = Field(description="False when this client had reported it already.")
    status: Status = Field(description="held once enough readers reported it.")


class Decision(Reply):
    """One decision on a comment, by the model or a moderator."""

    id: int
    comment_id: Uuid = ""
    outcome: Literal["approved", "held", "rejected"]
    actor: str = Field(description='"model" for the model, else the moderator\'s name.')
    reason: str
    code: str | None = Field(description="The rule's code (spam.links, ...), if a rule took it.")
    scores: Scores | None = Field(description="The model's scores (at the time, for a "
                                              "moderator).")
    model: str | None
    thresholds: dict[str, Any] | None = Field(description=(
        "The policy in force, for the model's decision."))
    language: str | None = Field(description=(
        "The comment's language as the model's worker detected it (und: too short or unsure "
        "to tell); null for moderators' and rules' decisions."))
    created_at: Time
    statement: Reason | None = Field(default=None, description=(
        "Only on an appeal's decision: the statement of reasons the author saw."))


class Appeal(Reply):
    """An author's appeal of the decision that rejected their comment."""

    id: int
    comment_id: Uuid
    decision_id: int = Field(description="The decision under appeal.")
    message: str
    status: Literal["open", "upheld", "overturned"]
    created_at: Time
    decided_at: Time | None
    decided_by: str | None
    reason: str


class Report(Reply):
    """A reader's report."""

    id: int
    reason: str
    note: str
    created_at: Time
    dismissed_at: Time | None
    dismissed_by: str | None
