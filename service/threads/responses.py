"""What the threads' moderation API answers."""

from __future__ import annotations

from pydantic import Field

from service.apidoc import Reply, Time


class Thread(Reply):
    """A thread: headline, link, rules and its comments per status (defaults when it has
    no comment yet)."""

    id: str = Field(description="The thread id of the public URLs.")
    title: str | None
    url: str | None
    closed: bool = Field(description="Refuses new comments.")
    premoderation: bool = Field(description="Holds every comment.")
    created_at: Time | None = None
    site: str = ""
    counts: dict[str, int] = Field(description="The thread's comments per status.")


class Threads(Reply):
    """The site's threads with comments, the most held first."""

    site: str
    threads: list[Thread]
