"""What the Perspective-compatible API answers, in Perspective's own shapes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from service.apidoc import Reply


class Probability(Reply):
    """A score: this model's probability."""

    value: float = Field(ge=0, le=1)
    type: Literal["PROBABILITY"]


class SpanScore(Reply):
    """The score of a span of the text (a sentence with spanAnnotations)."""

    begin: int
    end: int
    score: Probability


class AttributeScores(Reply):
    """One attribute's scores."""

    summaryScore: Probability
    spanScores: list[SpanScore]


class AnalyzeResponse(Reply):
    """The scores, summary and per sentence."""

    attributeScores: dict[str, AttributeScores]
    languages: list[str]
    detectedLanguages: list[str]
    clientToken: str = ""


class SuggestScoreResponse(Reply):
    """Stored; the clientToken sent, if any."""

    clientToken: str = ""


class GoogleStatus(Reply):
    """The error."""

    code: int = Field(description="The HTTP status.")
    message: str
    status: str = Field(description="INVALID_ARGUMENT, PERMISSION_DENIED, RESOURCE_EXHAUSTED, "
                                    "UNAVAILABLE, ...")


class GoogleError(Reply):
    """Google's error shape, as Perspective answers errors."""

    error: GoogleStatus
