"""The site's settings for readers and writers: reports, appeals, nudges before posting."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from service.db import utcnow
from service.sites.models import DEFAULT_SITE_ID
from service.sites.services import site_by_id


class ReaderSettings(BaseModel):
    """How many readers' reports hold a comment, how long an author may appeal, and
    whether writers are nudged before posting a text that would be held."""

    model_config = ConfigDict(extra="forbid")

    reports_to_hold: int = Field(3, ge=1, le=100, description=(
        "Distinct readers whose reports send a published comment back to the queue."))
    appeal_days: int = Field(14, ge=1, le=365, description=(
        "Days after a rejection in which its author may appeal."))
    nudges: bool = Field(True, description=(
        "Whether the widget's first submit asks if the text would be held or rejected for "
        "its content, so that the writer may revise it before posting."))
    nudge_timeout_ms: int = Field(800, ge=100, le=5000, description=(
        "How long a nudge waits for the scoring workers, in milliseconds; without an "
        "answer the comment is posted and moderated as usual."))


def reader_settings(session: Session, site_id: int = DEFAULT_SITE_ID) -> ReaderSettings:
    """The site's settings for reports, appeals and nudges: the saved ones, else the
    defaults."""
    return ReaderSettings.model_validate(site_by_id(session, site_id).readers or {})


def save_reader_settings(session: Session, settings: ReaderSettings, by: str,
                         site_id: int = DEFAULT_SITE_ID) -> None:
    """Keep ``settings`` (the caller commits)."""
    site = site_by_id(session, site_id)
    site.readers = settings.model_dump()
    site.updated_at, site.updated_by = utcnow(), by
