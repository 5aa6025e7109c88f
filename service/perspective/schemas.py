"""Perspective API's requests, as its clients (Coral Talk first) send them, in pydantic.

Unknown fields are ignored, as Perspective ignores them; what the service does not
support (another attribute, another language) is refused by the services with 400.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from service.textcheck import check_tree, checked, problem

MAX_TEXT_BYTES = 20480
"""Perspective's limit on a comment's text, in UTF-8 bytes."""

ATTRIBUTES: dict[str, str] = {
    "TOXICITY": "toxicity",
    "SEVERE_TOXICITY": "severe_toxicity",
    "INSULT": "insult",
    "PROFANITY": "obscene",
    "THREAT": "threat",
    "IDENTITY_ATTACK": "identity_attack",
    "SEXUALLY_EXPLICIT": "sexual_explicit",
}
"""Perspective attribute -> the model's label (``SEXUALLY_EXPLICIT`` only where it has one)."""

STATUS_LABELS: dict[str, float] = {"APPROVED": 0.0, "HIGHLIGHTED": 0.0, "DELETED": 1.0,
                                   "REJECTED": 1.0}
"""Coral's ``suggestscore`` names the moderator's decision as the attribute (value 1):
approved (or featured) -> not toxic, 0; deleted (rejected) -> toxic, 1."""


def _text(value: str) -> str:
    if found := problem(value, max_length=len(value), multiline=True):
        raise ValueError(f"Comment text {found}.")
    size = len(value.encode("utf-8"))
    if not value.strip():
        raise ValueError("Comment must be non-empty.")
    if size > MAX_TEXT_BYTES:
        raise ValueError(f"Comment text too long: {size} bytes, at most {MAX_TEXT_BYTES}.")
    return value


Text = Annotated[str, AfterValidator(_text)]
Token = Annotated[str, Field(max_length=200), checked(200)]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class PerspectiveComment(_Lenient):
    """The text to score."""

    text: Text = Field(min_length=1, description="The comment, at most 20,480 UTF-8 bytes.")
    type: str = Field(default="PLAIN_TEXT", description="PLAIN_TEXT (HTML is scored as is).")


class PerspectiveAttributeRequest(_Lenient):
    """How one attribute is wanted."""

    scoreType: str = Field(default="PROBABILITY", description="Only PROBABILITY.",
                           json_schema_extra={"enum": ["PROBABILITY"]})
    scoreThreshold: float | None = Field(
        default=None, ge=0, le=1, description="Leave the attribute out below this score.")


class PerspectiveContext(_Lenient):
    """Context of the comment (accepted, not used)."""

    entries: Annotated[list[dict[str, Any]], AfterValidator(check_tree)] = Field(
        default_factory=list)


class AnalyzeRequest(_Lenient):
    """The body of ``POST /v1alpha1/comments:analyze``."""

    comment: PerspectiveComment
    requestedAttributes: dict[str, PerspectiveAttributeRequest] = Field(
        min_length=1, description="TOXICITY, SEVERE_TOXICITY, INSULT, PROFANITY, THREAT, "
                                  "IDENTITY_ATTACK, SEXUALLY_EXPLICIT (where the model has it).",
        json_schema_extra={"propertyNames": {"enum": list(ATTRIBUTES)}})
    languages: list[str] = Field(default_factory=list, description="Only en (any letter case).",
                                 json_schema_extra={"items": {"type": "string", "enum": ["en"]}})
    doNotStore: bool = Field(default=False, description="Keep nothing of the text.")
    spanAnnotations: bool = Field(
        default=False, description="Span scores per sentence; without it, one span: the text.")
    clientToken: Token | None = None
    communityId: Token | None = None
    sessionId: Token | None = None
    context: PerspectiveContext | None = None


class PerspectiveSummaryScore(_Lenient):
    """A suggested score."""

    value: float = Field(ge=0, le=1)
    type: str = "PROBABILITY"


class PerspectiveSuggestedAttribute(_Lenient):
    """A suggested score of one attribute."""

    summaryScore: PerspectiveSummaryScore


class SuggestScoreRequest(_Lenient):
    """The body of ``POST /v1alpha1/comments:suggestscore``."""

    comment: PerspectiveComment
    attributeScores: dict[str, PerspectiveSuggestedAttribute] = Field(
        min_length=1, description="A Perspective attribute with its score, or Coral's "
                                  "decision: APPROVED (0) or DELETED (1).",
        json_schema_extra={"propertyNames": {"enum": [*ATTRIBUTES, *STATUS_LABELS]}})
    languages: list[str] = Field(default_factory=list)
    doNotStore: bool = Field(default=False, description="Keep nothing: the label is not "
                                                        "stored either.")
    clientToken: Token | None = None
    communityId: Token | None = None
    context: PerspectiveContext | None = None
