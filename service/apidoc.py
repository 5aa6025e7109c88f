"""What each API view answers, declared beside it: ``service.openapi`` derives the document.

A view decorated by a ``Tag`` returns a reply (a model, or the dict of one) with an
optional status and headers; the decorator builds the reply's declared model from it
and answers its JSON. A field the model lacks, or a status the view does not declare,
is the server's error (``ReplyMismatch``, a 500), never an answer the document does
not show. Errors are raised (``service.errors.APIError``) and answered in the error
model of the tag.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from flask import Response, jsonify
from pydantic import BaseModel, ConfigDict, ValidationError, WithJsonSchema

from service.policy import LABELS


class Reply(BaseModel):
    """A JSON answer of the API. Fields without a default are always there; the others
    only when the view gives them."""

    model_config = ConfigDict(extra="forbid")


Time = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
"""A time as the APIs show it (``service.db.iso``): ISO 8601 in UTC, with ``Z``."""
Uuid = Annotated[str, WithJsonSchema({"type": "string", "format": "uuid"})]
Scores = Annotated[dict[str, float], WithJsonSchema({
    "type": "object", "description": "Per-label scores in [0, 1].",
    "properties": {label: {"type": "number"} for label in LABELS},
    "additionalProperties": {"type": "number"}})]


class ReplyMismatch(RuntimeError):
    """A view answered what its declaration does not allow: a bug, answered with 500."""


NOT_JSON = {400: "The body is not valid JSON.",
            413: "The body is larger than MAX_CONTENT_LENGTH.",
            415: "The body is not sent as application/json.",
            422: "The input is not valid; the message says why."}
"""What a view that reads a JSON body may answer besides its own errors."""


Answer = type[BaseModel] | tuple[type[BaseModel], ...] | None
"""What a view answers with a status: a model, one of several, or no body."""


def models_of(answer: Answer) -> tuple[type[BaseModel], ...]:
    """The models of an answer."""
    return answer if isinstance(answer, tuple) else () if answer is None else (answer,)


@dataclass(frozen=True)
class Operation:
    """One view's part of the document."""

    tag: str
    answers: Mapping[int, Answer]
    errors: Mapping[int, str]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    headers: Mapping[str, tuple[bool, str]] = field(default_factory=dict)
    error_model: type[BaseModel] | None = None
    summary: str = ""
    description: str = ""


class Tag:
    """The views of one part of the API (a tag of the document) and their error model
    (``None``: the service's own, ``service.errors.Error``)."""

    def __init__(self, name: str, error_model: type[BaseModel] | None = None,
                 body_errors: Mapping[int, str] = NOT_JSON) -> None:
        self.name, self.error_model, self.body_errors = name, error_model, body_errors

    def __call__(self, answer: Answer, status: int = 200, *,
                 more: Mapping[int, Answer] | None = None,
                 errors: Mapping[int, str] | None = None,
                 body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
                 headers: Mapping[str, tuple[bool, str]] | None = None,
                 ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Declare a view: it answers ``answer`` with ``status`` (``None``: no body; a
        tuple: one of those models), or one of ``more``; ``errors``: status -> meaning;
        ``body`` and ``query``: the models it validates; ``headers``: name -> (required,
        meaning).
        """
        answers = {status: answer, **(more or {})}
        all_errors = {**(self.body_errors if body else {}), **(errors or {})}

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            summary, _, description = inspect.cleandoc(view.__doc__ or "").partition("\n\n")

            @functools.wraps(view)
            def answered(*args: Any, **kwargs: Any) -> Any:
                return reply(answers, view(*args, **kwargs))

            answered.operation = Operation(  # type: ignore[attr-defined]
                self.name, answers, all_errors, body, query, headers or {},
                self.error_model, " ".join(summary.split()), description.strip())
            return answered

        return decorator


def reply(answers: Mapping[int, Answer], result: Any) -> Any:
    """``result`` (a reply, or a tuple with its status and headers) as a response."""
    content, status, headers = result, None, None
    if isinstance(result, tuple):
        content, status, *rest = result
        headers = rest[0] if rest else None
    status = status or next(iter(answers))
    if isinstance(content, Response):
        return content
    if status not in answers:
        raise ReplyMismatch(f"{status} is not an answer the view declares")
    models = models_of(answers[status])
    if not models:
        return "", status, headers or {}
    if isinstance(content, BaseModel) and not isinstance(content, models):
        raise ReplyMismatch(f"{type(content).__name__} is not an answer the view declares")
    try:
        built = content if isinstance(content, BaseModel) else models[0].model_validate(content)
    except ValidationError as error:
        raise ReplyMismatch(f"the reply is not a {models[0].__name__}: {error}") from None
    response = jsonify(built.model_dump(mode="json", exclude_unset=True))
    response.status_code = status
    response.headers.update(headers or {})
    return response


def operation_of(view: Callable[..., Any]) -> Operation | None:
    """The declaration of a view, if it has one."""
    return getattr(view, "operation", None)
