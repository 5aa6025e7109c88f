"""The site's settings for readers' reports and authors' appeals."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from service.db import utcnow
from service.sites import SITE_ID, SiteSettings


class ReaderSettings(BaseModel):
    """How many readers' reports hold a comment, and how long an author may appeal."""

    model_config = ConfigDict(extra="forbid")

    reports_to_hold: int = Field(3, ge=1, le=100, description=(
        "Distinct readers whose reports send a published comment back to the queue."))
    appeal_days: int = Field(14, ge=1, le=365, description=(
        "Days after a rejection in which its author may appeal."))


def reader_settings(session: Session) -> ReaderSettings:
    """The site's settings for reports and appeals: the saved ones, else the defaults."""
    saved = session.get(SiteSettings, SITE_ID)
    return ReaderSettings.model_validate((saved.readers if saved else None) or {})


def save_reader_settings(session: Session, settings: ReaderSettings, by: str) -> None:
    """Keep ``settings`` (the caller commits)."""
    saved = session.get(SiteSettings, SITE_ID) or SiteSettings(id=SITE_ID, policy={})
    saved.readers = settings.model_dump()
    saved.updated_at, saved.updated_by = utcnow(), by
    session.add(saved)
