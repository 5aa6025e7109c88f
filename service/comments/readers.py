"""The site's settings for readers' reports and authors' appeals."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from service.db import utcnow
from service.sites.models import DEFAULT_SITE_ID
from service.sites.services import site_by_id


class ReaderSettings(BaseModel):
    """How many readers' reports hold a comment, and how long an author may appeal."""

    model_config = ConfigDict(extra="forbid")

    reports_to_hold: int = Field(3, ge=1, le=100, description=(
        "Distinct readers whose reports send a published comment back to the queue."))
    appeal_days: int = Field(14, ge=1, le=365, description=(
        "Days after a rejection in which its author may appeal."))


def reader_settings(session: Session, site_id: int = DEFAULT_SITE_ID) -> ReaderSettings:
    """The site's settings for reports and appeals: the saved ones, else the defaults."""
    return ReaderSettings.model_validate(site_by_id(session, site_id).readers or {})


def save_reader_settings(session: Session, settings: ReaderSettings, by: str,
                         site_id: int = DEFAULT_SITE_ID) -> None:
    """Keep ``settings`` (the caller commits)."""
    site = site_by_id(session, site_id)
    site.readers = settings.model_dump()
    site.updated_at, site.updated_by = utcnow(), by
