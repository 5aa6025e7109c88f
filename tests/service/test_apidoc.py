"""Replies pass through their declared model: a view cannot answer what the document
does not show."""

from __future__ import annotations

import pytest
from flask import Flask
from openapi_spec_validator import validate

from service import errors
from service.apidoc import Reply, ReplyMismatch, Tag
from service.errors import APIError
from service.openapi import document

doc = Tag("tests")


class Greeting(Reply):
    """A greeting."""

    text: str
    name: str = ""


class Other(Reply):
    """Something else."""

    value: int


def app_with(view_result: object, testing: bool = True) -> Flask:
    app = Flask(__name__)
    app.config["TESTING"] = testing
    errors.init_app(app)

    @app.get("/api/greeting/<int:number>")
    @doc(Greeting, errors={404: "No such greeting."})
    def greeting(number: int) -> object:
        """Say hello.

        The long story."""
        if number == 0:
            raise APIError(404, "not_found", "No such greeting.")
        return view_result

    return app


def test_a_reply_is_its_model_as_json_without_the_fields_left_out():
    response = app_with({"text": "hello"}).test_client().get("/api/greeting/1")
    assert response.status_code == 200
    assert response.json == {"text": "hello"}


@pytest.mark.parametrize("result", [
    {"text": "hello", "secret": "kept back"},  # a field the model lacks
    ({"text": "hello"}, 201),                  # a status the view does not declare
    Other(value=1),                            # another model
    {"name": "no text"},                       # a required field missing
])
def test_a_reply_its_model_does_not_allow_is_the_servers_error(result):
    with pytest.raises(ReplyMismatch):
        app_with(result).test_client().get("/api/greeting/1")
    response = app_with(result, testing=False).test_client().get("/api/greeting/1")
    assert response.status_code == 500
    assert response.json["error"] == "internal_server_error"
    assert "secret" not in response.get_data(as_text=True)


def test_the_operation_is_derived_from_the_rule_the_docstring_and_the_models():
    app = app_with({"text": "hello"})
    with app.app_context():
        spec = document(app)
    validate(spec)
    operation = spec["paths"]["/api/greeting/{number}"]["get"]
    assert operation["summary"] == "Say hello."
    assert operation["description"] == "The long story."
    assert operation["tags"] == ["tests"]
    assert operation["parameters"] == [{"name": "number", "in": "path", "required": True,
                                        "description": "number",
                                        "schema": {"type": "integer", "minimum": 0}}]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Greeting"}
    assert operation["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}
    greeting = spec["components"]["schemas"]["Greeting"]
    assert greeting["required"] == ["text"] and greeting["additionalProperties"] is False
    assert "default" not in greeting["properties"]["name"]


def test_errors_are_their_model_too():
    response = app_with({"text": "hello"}).test_client().get("/api/greeting/0")
    assert response.status_code == 404
    assert response.json == {"error": "not_found", "message": "No such greeting."}
    with pytest.raises(ValueError):
        errors.Error.model_validate({"error": "x", "message": "y", "unknown": 1})
