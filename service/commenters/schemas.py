"""What the commenters' moderation API accepts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from service.textcheck import checked

MAX_NOTE = 2000


class StandingChange(BaseModel):
    """The body of ``PATCH /api/v1/moderation/sites/<site>/commenters/<sub>``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    status: Literal["normal", "premoderated", "trusted", "banned"] | None = Field(
        default=None, description=(
            "normal; premoderated (every comment held); trusted (skips the new-commenter "
            "pre-moderation); banned (may not comment: 403 commenter_banned)."))
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_NOTE),
                    checked(MAX_NOTE, multiline=True)] | None = (
        Field(default=None, description=f"Why, for the other moderators; up to {MAX_NOTE} "
              "characters."))

    @model_validator(mode="after")
    def _something(self) -> StandingChange:
        if self.status is None and self.note is None:
            raise ValueError("send status, note or both")
        return self
