"""The OpenAPI 3.1 document of the service's HTTP APIs, at ``/openapi.json``.

Each domain contributes its fragment, a module ``<domain>/openapi.py`` with ``paths()``
(``{path: {method: operation}}``), ``SCHEMAS`` and ``MODELS``. Request bodies and query
parameters come from the pydantic models the views validate with, so that the
document cannot drift from them. To document another API, add its fragment to
``FRAGMENTS``.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from service.apidoc import Paths
from service.commenters import openapi as commenters
from service.comments import openapi as comments
from service.comments import readers_openapi as comments_readers
from service.moderation import openapi as moderation
from service.moderation import readers_openapi as moderation_readers
from service.perspective import openapi as perspective
from service.sites import openapi as sites
from service.threads import openapi as threads
from service.webhooks import openapi as webhooks

bp = Blueprint("openapi", __name__)

FRAGMENTS = (comments, comments_readers, moderation, moderation_readers, perspective, sites,
             webhooks, threads, commenters)

SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object", "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "A stable code, e.g. invalid_input."},
            "message": {"type": "string", "description": "What is wrong, for people."},
            "fields": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "The problem of each field at fault."},
        },
    },
}


def health_paths() -> Paths:
    """The health checks."""
    return {
        "/healthz": {"get": {"tags": ["health"], "summary": "Liveness.",
                             "responses": {"200": {"description": "The process answers."}}}},
        "/readyz": {"get": {"tags": ["health"],
                            "summary": "Readiness: the database, Redis and a loaded model.",
                            "responses": {"200": {"description": "Ready."},
                                          "503": {"description": "Not ready; says why."}}}},
    }


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    schemas = copy.deepcopy(SCHEMAS)
    paths: Paths = {}
    for fragment in FRAGMENTS:
        schemas.update(copy.deepcopy(fragment.SCHEMAS))
        for model in fragment.MODELS:
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
        paths.update(fragment.paths())
    paths.update(health_paths())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Comment moderation",
            "version": "1",
            "description": "Comments in, scored by a model, published, held for people or "
                           "rejected. Errors are JSON: {\"error\": code, \"message\": why}.",
        },
        "paths": paths,
        "webhooks": webhooks.CALLBACKS,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A token from `moderation tokens create NAME` or the "
                               "dashboard's API tokens page."}},
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document (built once per process)."""
    if "openapi" not in current_app.extensions:
        current_app.extensions["openapi"] = document()
    return jsonify(current_app.extensions["openapi"])
