"""What the threads' moderation API and the widget's POST accept about a thread."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from service.text import strip_invisible
from service.textcheck import checked
from service.threads.gate import MAX_TITLE, MAX_URL, check_title, check_url

Title = Annotated[str, checked(MAX_TITLE * 4), AfterValidator(strip_invisible),
                  AfterValidator(check_title)]
"""A thread's headline, 1 to 300 characters."""
Url = Annotated[str, checked(MAX_URL), AfterValidator(check_url)]
"""A thread's link, an http(s) URL."""


class ThreadChange(BaseModel):
    """The body of ``PATCH /api/v1/moderation/sites/<site>/threads/<thread_id>``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: Title | None = Field(default=None, description=(
        f"The headline shown in the queue, 1 to {MAX_TITLE} characters."))
    url: Url | None = Field(default=None, description=(
        f"The article's address, an http(s) URL of at most {MAX_URL} characters."))
    closed: bool | None = Field(default=None, description=(
        "A closed thread refuses new comments (403 thread_closed)."))
    premoderation: bool | None = Field(default=None, description=(
        "Hold every new comment of the thread for a moderator."))

    @model_validator(mode="after")
    def _something(self) -> ThreadChange:
        if not self.model_fields_set:
            raise ValueError("send at least one of title, url, closed, premoderation")
        for name in ("closed", "premoderation"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} must be true or false")
        return self
