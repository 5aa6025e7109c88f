"""The OpenAPI 3.1 document of the service's HTTP APIs, at ``/openapi.json``.

Derived, never written: the paths and their parameters from the app's URL rules, the
rest from each view's declaration (``service.apidoc.Tag``): its tag, summary and
description (the view's docstring), the models of its request body, query and
answers, its errors, and its security (``require_token``'s role). The schemas are
the models' own, by pydantic. Views without a declaration (the dashboard's pages,
the widget, metrics) are not in it.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema
from pydantic_core import core_schema

from service.apidoc import Operation, models_of, operation_of
from service.errors import Error
from service.webhooks.openapi import WebhookEvent as Event
from service.webhooks.openapi import callbacks

bp = Blueprint("openapi", __name__)

REF = "#/components/schemas/{model}"
PATH_PARAMETERS = {
    "thread_id": "The thread's id: 1 to 200 letters, digits, '-', '_' or '.'.",
    "site": "The site's slug (the paths without it mean `default`).",
    "slug": "The site's slug.",
    "comment_id": "The comment's id.",
    "appeal_id": "The appeal's id.",
    "sub": "The commenter's sub (the publisher's user id).",
    "endpoint_id": "The webhook endpoint's id.",
    "delivery_id": "The delivery's id.",
}
UNAUTHORIZED = "No token, or an unknown, expired or revoked one."
NOT_ADMIN = "The token is not an admin's."
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


class _Schemas(GenerateJsonSchema):
    """Pydantic's schemas, where an answer's optional field shows no default: it is left
    out of the answer rather than sent with its default."""

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> dict[str, Any]:
        if self.mode == "serialization":
            return self.generate_inner(schema["schema"])
        return super().default_schema(schema)


def document(app: Flask) -> dict[str, Any]:
    """The whole OpenAPI document of ``app``."""
    declared = [(rule, operation, getattr(app.view_functions[rule.endpoint], "required_role",
                                          None))
                for rule in app.url_map.iter_rules()
                if (operation := operation_of(app.view_functions[rule.endpoint]))]
    refs, schemas = _schemas([operation for _, operation, _ in declared])
    paths: dict[str, dict[str, Any]] = {}
    for rule, operation, role in sorted(declared, key=lambda item: item[0].rule):
        path = _ARGUMENT.sub(r"{\2}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(
                rule.rule, rule.endpoint, operation, role, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Comment moderation",
            "version": "1",
            "description": "Comments in, scored by a model, published, held for people or "
                           "rejected. Errors are JSON: {\"error\": code, \"message\": why}.",
        },
        "paths": paths,
        "webhooks": callbacks(refs[Event, "serialization"]),
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A token from `moderation tokens create NAME` or the "
                               "dashboard's API tokens page."}},
        },
    }


def _schemas(operations: list[Operation]
             ) -> tuple[dict[tuple[type[BaseModel], JsonSchemaMode], dict[str, Any]],
                        dict[str, Any]]:
    """Every model's schema, named, and a reference to each (by model and mode)."""
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {
        (Error, "serialization"): None, (Event, "serialization"): None}
    for operation in operations:
        for model in (operation.body, operation.query):
            if model is not None:
                wanted[model, "validation"] = None
        for answer in (*operation.answers.values(), operation.error_model):
            for model in models_of(answer):
                wanted[model, "serialization"] = None
    refs, definitions = models_json_schema(list(wanted), ref_template=REF,
                                           schema_generator=_Schemas)
    return dict(refs), definitions.get("$defs", {})  # type: ignore[arg-type]


def _operation(rule: str, endpoint: str, operation: Operation, role: str | None,
               refs: dict[tuple[type[BaseModel], JsonSchemaMode], dict[str, Any]]
               ) -> dict[str, Any]:
    """The document's operation of one view."""
    error_ref = refs[operation.error_model or Error, "serialization"]
    errors = dict(operation.errors)
    if role is not None:
        errors.setdefault(401, UNAUTHORIZED)
        if role == "admin":
            errors.setdefault(403, NOT_ADMIN)
    responses: dict[str, Any] = {}
    for status, answer in operation.answers.items():
        models = models_of(answer)
        responses[str(status)] = {"description": " Or: ".join(
            " ".join((model.__doc__ or "The answer.").split()) for model in models)
            or "No content."}
        if models:
            schemas = [refs[model, "serialization"] for model in models]
            responses[str(status)]["content"] = {"application/json": {
                "schema": schemas[0] if len(schemas) == 1 else {"oneOf": schemas}}}
    for status, meaning in sorted(errors.items()):
        responses[str(status)] = {"description": meaning,
                                  "content": {"application/json": {"schema": error_ref}}}
    parameters = [_path_parameter(converter, name) for converter, name in _ARGUMENT.findall(rule)]
    if operation.query is not None:
        parameters += _query_parameters(operation.query)
    parameters += [{"name": name, "in": "header", "required": required,
                    "description": meaning, "schema": {"type": "string"}}
                   for name, (required, meaning) in operation.headers.items()]
    result: dict[str, Any] = {"tags": [operation.tag], "operationId": endpoint,
                              "summary": operation.summary}
    if operation.description:
        result["description"] = operation.description
    if parameters:
        result["parameters"] = parameters
    if operation.body is not None:
        result["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": refs[operation.body, "validation"]}}}
    if role is not None:
        result["security"] = [{"bearerAuth": []}]
    result["responses"] = responses
    return result


def _path_parameter(converter: str, name: str) -> dict[str, Any]:
    schema = {"type": "integer", "minimum": 0} if converter == "int" else {"type": "string"}
    return {"name": name, "in": "path", "required": True,
            "description": PATH_PARAMETERS.get(name, name), "schema": schema}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The query parameters that a model validates (a query has no null: an optional
    parameter is left out instead)."""
    schema = model.model_json_schema(ref_template=REF)
    parameters = []
    for name, prop in schema["properties"].items():
        prop = {key: value for key, value in prop.items() if key != "title"
                and not (key == "default" and value is None)}
        branches = [branch for branch in prop.pop("anyOf", ()) if branch != {"type": "null"}]
        if branches:
            prop |= branches[0] if len(branches) == 1 else {"anyOf": branches}
        parameter = {"name": name, "in": "query", "required": name in schema.get("required", ()),
                     "schema": prop}
        if description := prop.pop("description", None):
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document (built once per process)."""
    if "openapi" not in current_app.extensions:
        current_app.extensions["openapi"] = document(current_app)
    return jsonify(current_app.extensions["openapi"])
