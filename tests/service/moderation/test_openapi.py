"""The OpenAPI document: valid, and covering every API route the app serves."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

DOCUMENTED_TOO = {"/healthz", "/readyz"}


def test_the_document_is_valid_openapi(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.is_json
    document = response.json
    validate(document)
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_api_route_is_documented_with_its_methods(app, client):
    paths = client.get("/openapi.json").json["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/") or rule.rule in DOCUMENTED_TOO):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method.lower() not in paths.get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []


def test_moderation_operations_need_a_bearer_token_and_name_their_bodies(client):
    document = client.get("/openapi.json").json
    paths = document["paths"]
    for path, operations in paths.items():
        if path.startswith("/api/v1/moderation/"):
            for operation in operations.values():
                assert operation["security"] == [{"bearerAuth": []}], path
    decision = document["components"]["schemas"]["DecisionRequest"]
    assert decision["properties"]["action"]["enum"] == ["approve", "reject"]
    queue = paths["/api/v1/moderation/queue"]["get"]["parameters"]
    assert {parameter["name"] for parameter in queue} == {
        "status", "site", "thread", "label", "sort", "limit", "cursor"}
