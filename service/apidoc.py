"""Small builders for the OpenAPI document's parts, shared by each domain's paths."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from service.policy import LABELS

Paths = dict[str, dict[str, dict[str, Any]]]
"""``{path: {method: operation}}``: what each domain's ``paths()`` returns."""

TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
SCORES = {"type": "object", "description": "Per-label scores in [0, 1].",
           "properties": {label: {"type": "number"} for label in LABELS},
           "additionalProperties": {"type": "number"}}
STATUS = {"type": "string", "enum": ["pending", "approved", "held", "rejected"]}



def ref(name: str) -> dict[str, str]:
    """A reference to a schema of the document's components."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A response (or request body) of JSON described by ``schema``."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error(description: str) -> dict[str, Any]:
    """An error response: the service's JSON error body."""
    return json_content(ref("Error"), description)


UNAUTHORIZED = error("No token, or an unknown or revoked one.")
INVALID = error("The input is not valid; the message says why.")
NOT_JSON = {"400": error("The body is not valid JSON."),
             "415": error("The body is not sent as application/json.")}


def path_parameter(name: str, description: str) -> dict[str, Any]:
    """A required string parameter of the path."""
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string"}}


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The query parameters that a pydantic model validates."""
    schema = model.model_json_schema()
    parameters = []
    for name, prop in schema["properties"].items():
        prop = {key: value for key, value in prop.items() if key != "title"}
        description = prop.pop("description", None)
        parameter = {"name": name, "in": "query", "required": False, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters
