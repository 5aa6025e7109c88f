"""What the moderation API and the dashboard's forms accept, checked with pydantic."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from service.comments.schemas import valid_thread_id
from service.policy import LABELS, Policy
from service.sites.schemas import WordList
from service.sites.services import check_origin
from service.textcheck import checked

REASON_CODES = ("offensive", "abusive", "spam", "off-topic", "other")
"""Why a comment was rejected; the dashboard offers these, the API suggests them."""
MAX_BULK = 100

Label = Literal[LABELS]  # type: ignore[valid-type]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500),
                   checked(500, multiline=True)]


class DecisionRequest(BaseModel):
    """The body of ``POST /api/v1/moderation/comments/<id>/decisions``."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "reject"] = Field(description="What to do with the comment.")
    reason: Reason = Field(default="", validate_default=True, description=(
        "Why; required to reject. Start it with a reason code (offensive, abusive, spam, "
        "off-topic, other), e.g. \"spam: links to a shop\"."))

    @field_validator("reason")
    @classmethod
    def _rejection_has_reason(cls, reason: str, info: ValidationInfo) -> str:
        if info.data.get("action") == "reject" and not reason:
            raise ValueError("a rejection needs a reason, e.g. one of " + ", ".join(REASON_CODES))
        return reason

    @property
    def outcome(self) -> str:
        return "approved" if self.action == "approve" else "rejected"


class BulkDecisionRequest(DecisionRequest):
    """The body of ``POST /api/v1/moderation/decisions``: one decision on many comments."""

    comment_ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_BULK, description=(
        f"The comments to decide, 1 to {MAX_BULK}."))


def _thread(value: str | None) -> str | None:
    if value and not valid_thread_id(value):
        raise ValueError("a thread id has 1 to 200 letters, digits, '-', '_' or '.'")
    return value or None


class QueueQuery(BaseModel):
    """The query of ``GET /api/v1/moderation/queue`` and of the dashboard's queue."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["held", "approved", "rejected", "pending"] = "held"
    site: Annotated[str, checked(64)] | None = Field(default=None, max_length=64, description=(
        "Only this site's comments (its slug); without it, every site one reaches."))
    thread: Annotated[str | None, AfterValidator(_thread)] = None
    label: Label | None = Field(default=None, description=(
        "Only comments whose score of this label reached its hold threshold."))
    sort: Literal["oldest", "score"] = Field(default="oldest", description=(
        "oldest: longest waiting first; score: highest label score first."))
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, description="next_cursor of the previous page.")

    @model_validator(mode="before")
    @classmethod
    def _drop_empty(cls, data: object) -> object:
        # An HTML form sends empty fields for filters left unset.
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value != ""}
        return data


def _origins(values: list[str]) -> list[str]:
    return list(dict.fromkeys(check_origin(value) for value in values if value.strip()))


Threshold = Annotated[float, Field(ge=0.0, le=1.0)]


class SiteSettingsForm(BaseModel):
    """The admins' settings of the site, as the settings page sends them."""

    model_config = ConfigDict(extra="forbid")

    target: str | None = None
    """A ``service.policy.TARGETS`` name; None: the thresholds below."""
    hold: dict[Label, Threshold]
    reject: dict[Label, Threshold]
    hold_everything: bool = False
    unscored_languages: Literal["hold", "score", "publish"] = "hold"
    banned_words: WordList = []
    suspect_words: WordList = []
    allowed_origins: Annotated[list[Annotated[str, checked(300)]], AfterValidator(_origins)] = []

    @model_validator(mode="after")
    def _hold_below_reject(self) -> SiteSettingsForm:
        for label in LABELS:
            if self.hold.get(label, 0.0) > self.reject.get(label, 1.0):
                raise ValueError(f"the hold threshold of {label} is above its reject threshold")
        return self

    def policy(self) -> Policy:
        """The policy these settings make; raises ValueError for a bad word list."""
        return Policy.from_overrides(self.model_dump(exclude={"allowed_origins"}))
