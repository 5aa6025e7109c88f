"""What the webhook API and dashboard accept, checked with pydantic."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from service.textcheck import checked

EventType = Literal["comment.created", "comment.approved", "comment.held", "comment.rejected",
                    "comment.reported", "reports.dismissed", "comment.appealed", "appeal.decided"]
URL = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
                checked(2000)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500),
                        checked(500)]
Events = Annotated[list[EventType], Field(min_length=1)]
SiteSlug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
                    checked(64)]


class NewEndpoint(BaseModel):
    """The body of ``POST /api/v1/webhooks``."""

    model_config = ConfigDict(extra="forbid")

    url: URL
    events: Events
    description: Description = ""
    enabled: bool = True
    site: SiteSlug | None = Field(None, description=(
        "The slug of the site whose events it receives; null: every site's."))


class EndpointChanges(BaseModel):
    """The body of ``PATCH /api/v1/webhooks/<id>``: only the fields to change."""

    model_config = ConfigDict(extra="forbid")

    url: URL | None = None
    events: Events | None = None
    description: Description | None = None
    enabled: bool | None = None
    site: SiteSlug | None = Field(None, description=(
        "The slug of the site whose events it receives; null: every site's."))

    def changes(self) -> dict[str, object]:
        """The fields that were given (a field given as null counts as not given, but
        ``site``, where null means every site)."""
        given = self.model_dump(exclude_none=True)
        if "site" in self.model_fields_set:
            given["site"] = self.site
        return given
