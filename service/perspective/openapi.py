"""The Perspective-compatible API's part of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from service.apidoc import Paths, json_content, ref
from service.perspective.schemas import AnalyzeRequest, SuggestScoreRequest

MODELS: tuple[type[BaseModel], ...] = (AnalyzeRequest, SuggestScoreRequest)

_PROBABILITY = {"type": "object", "required": ["value", "type"],
                "properties": {"value": {"type": "number", "minimum": 0, "maximum": 1},
                               "type": {"type": "string", "enum": ["PROBABILITY"]}}}

SCHEMAS: dict[str, dict[str, Any]] = {
    "GoogleError": {
        "type": "object", "required": ["error"],
        "description": "Google's error shape, as Perspective answers errors.",
        "properties": {"error": {
            "type": "object", "required": ["code", "message", "status"],
            "properties": {
                "code": {"type": "integer", "description": "The HTTP status."},
                "message": {"type": "string"},
                "status": {"type": "string", "description": "INVALID_ARGUMENT, "
                           "PERMISSION_DENIED, RESOURCE_EXHAUSTED, UNAVAILABLE, ..."},
            },
        }},
    },
    "AnalyzeResponse": {
        "type": "object", "required": ["attributeScores", "languages", "detectedLanguages"],
        "properties": {
            "attributeScores": {"type": "object", "additionalProperties": {
                "type": "object", "required": ["summaryScore", "spanScores"],
                "properties": {
                    "summaryScore": _PROBABILITY,
                    "spanScores": {"type": "array", "items": {
                        "type": "object", "required": ["begin", "end", "score"],
                        "properties": {"begin": {"type": "integer"}, "end": {"type": "integer"},
                                       "score": _PROBABILITY}}},
                }}},
            "languages": {"type": "array", "items": {"type": "string"}},
            "detectedLanguages": {"type": "array", "items": {"type": "string"}},
            "clientToken": {"type": "string"},
        },
    },
    "SuggestScoreResponse": {"type": "object",
                             "properties": {"clientToken": {"type": "string"}}},
}


def _error(description: str) -> dict[str, Any]:
    return json_content(ref("GoogleError"), description)


def paths() -> Paths:
    """``comments:analyze`` and ``comments:suggestscore``, as Perspective API has them."""
    key = {"name": "key", "in": "query", "required": False, "schema": {"type": "string"},
           "description": "The API key (`moderation keys create`); or the X-Goog-Api-Key "
                          "header."}
    common = {
        "400": _error("Not JSON, or an attribute, score type or language not supported."),
        "403": _error("No key, or an unknown or revoked one (PERMISSION_DENIED)."),
        "413": _error("The body is too large."),
        "429": _error("Over the key's requests per second (RESOURCE_EXHAUSTED)."),
        "503": _error("Redis or the database is unavailable (UNAVAILABLE)."),
    }
    return {
        "/v1alpha1/comments:analyze": {"post": {
            "tags": ["perspective"], "parameters": [key],
            "summary": "Score a comment (Perspective API's comments:analyze).",
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": ref("AnalyzeRequest")}}},
            "responses": {
                "200": json_content(ref("AnalyzeResponse"), "The scores, summary and per "
                                    "sentence."),
                **common,
                "503": _error("No worker scored it in time, or Redis or the database is "
                              "unavailable (UNAVAILABLE); never a guess."),
            },
        }},
        "/v1alpha1/comments:suggestscore": {"post": {
            "tags": ["perspective"], "parameters": [key],
            "summary": "Store a moderator's verdict as a label (comments:suggestscore).",
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref("SuggestScoreRequest")}}},
            "responses": {"200": json_content(ref("SuggestScoreResponse"),
                                              "Stored; the clientToken sent, if any."),
                          **common},
        }},
    }
