"""What the public API accepts, checked with pydantic."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from service.text import is_blank, strip_invisible
from service.textcheck import check
from service.threads.schemas import Title, Url

THREAD_ID = re.compile(r"^[A-Za-z0-9._-]{1,200}$")


def _clean_text(value: str) -> str:
    check(value, max_length=len(value), multiline=True)
    if is_blank(value):
        raise ValueError("must contain visible characters, not only spaces or invisible ones")
    return value


Body = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=5000),
    AfterValidator(_clean_text),
]
Author = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
    # No bidi overrides or other invisible characters in a name: "\u202enimda" would
    # read "admin".
    AfterValidator(strip_invisible),
    AfterValidator(_clean_text),
    AfterValidator(lambda value: " ".join(value.split())),
]


class NewComment(BaseModel):
    """The body of ``POST /api/v1/threads/<thread_id>/comments``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    body: Body = Field(description="The comment, 1 to 5,000 characters after trimming.")
    author: Author | None = Field(default=None, description=(
        "The name shown with the comment, 1 to 80 characters; required unless the request "
        "signs the commenter in (Authorization: Bearer <JWT>), whose name is shown instead."))
    parent_id: Annotated[uuid.UUID | None, Field(strict=False)] = Field(
        default=None, description="The comment this one answers, in the same thread."
    )
    title: Title | None = Field(default=None, description=(
        "The article's headline, as the page shows it; a hint only, never stored (the "
        "headline is read from the article's page, see url)."))
    url: Url | None = Field(default=None, description=(
        "The article's address, a hint: when it is on one of the site's origins and the "
        "thread has no headline yet, the service reads the headline and canonical link "
        "from that page (which must embed this thread's widget)."))
    nudge: bool = Field(default=False, description=(
        "Ask first: when the site's policy would hold or reject the text for its content, "
        "answer 200 with a nudge and store nothing (the widget's first submit). Without "
        "it, the comment is never nudged."))
    nudge_id: Annotated[uuid.UUID | None, Field(strict=False)] = Field(
        default=None, description=(
            "The id of the nudge that the writer saw before this submit, so that the "
            "site's stats learn whether they revised the text or posted it anyway."))


class NudgeShown(BaseModel):
    """A nudge: why the text may be held or rejected, in the site's language."""

    id: uuid.UUID = Field(description="Send it back as ``nudge_id`` with the next submit.")
    message: str = Field(description="What the writer is told, in the site's language.")
    reasons: list[str] = Field(description="What in the text may break the site's rules.")


class NudgeAnswer(BaseModel):
    """The 200 answer of a POST with ``"nudge": true`` whose text would be held or rejected:
    nothing is stored."""

    nudge: NudgeShown


def valid_thread_id(thread_id: str) -> bool:
    return bool(THREAD_ID.fullmatch(thread_id))


class NewReport(BaseModel):
    """The body of ``POST /api/v1/comments/<id>/reports``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    reason: Literal["abusive", "spam", "off_topic", "other"] = Field(
        description="Why the reader reports the comment.")
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500),
                    AfterValidator(lambda value: _clean_text(value) if value else value)] = Field(
        default="", description="What the reader adds, up to 500 characters.")


class NewAppeal(BaseModel):
    """The body of ``POST /api/v1/comments/<id>/appeals``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=2000),
                       AfterValidator(_clean_text)] = Field(
        description="Why the comment should be published, 1 to 2,000 characters.")
