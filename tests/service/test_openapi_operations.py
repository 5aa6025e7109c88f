"""The OpenAPI document keeps every operation it has, derived from the routes."""

from __future__ import annotations

OPERATIONS = {
    ("delete", "/api/v1/moderation/sites/{site}/commenters/{sub}"),
    ("delete", "/api/v1/webhooks/{endpoint_id}"),
    ("get", "/api/v1/comments/{comment_id}"),
    ("get", "/api/v1/moderation/appeals"),
    ("get", "/api/v1/moderation/comments/{comment_id}"),
    ("get", "/api/v1/moderation/queue"),
    ("get", "/api/v1/moderation/reported"),
    ("get", "/api/v1/moderation/sites/{site}/commenters/{sub}"),
    ("get", "/api/v1/moderation/sites/{site}/commenters/{sub}/export"),
    ("get", "/api/v1/moderation/sites/{site}/threads"),
    ("get", "/api/v1/moderation/sites/{site}/threads/{thread_id}"),
    ("get", "/api/v1/sites"),
    ("get", "/api/v1/sites/{site}/threads/{thread_id}/comments"),
    ("get", "/api/v1/sites/{slug}"),
    ("get", "/api/v1/threads/{thread_id}/comments"),
    ("get", "/api/v1/webhooks"),
    ("get", "/api/v1/webhooks/{endpoint_id}"),
    ("get", "/api/v1/webhooks/{endpoint_id}/deliveries"),
    ("get", "/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("patch", "/api/v1/moderation/sites/{site}/commenters/{sub}"),
    ("patch", "/api/v1/moderation/sites/{site}/threads/{thread_id}"),
    ("patch", "/api/v1/sites/{slug}"),
    ("patch", "/api/v1/webhooks/{endpoint_id}"),
    ("post", "/api/v1/comments/{comment_id}/appeals"),
    ("post", "/api/v1/comments/{comment_id}/reports"),
    ("post", "/api/v1/moderation/appeals/{appeal_id}/decisions"),
    ("post", "/api/v1/moderation/comments/{comment_id}/decisions"),
    ("post", "/api/v1/moderation/comments/{comment_id}/reports/dismissal"),
    ("post", "/api/v1/moderation/decisions"),
    ("post", "/api/v1/sites"),
    ("post", "/api/v1/sites/{site}/threads/{thread_id}/comments"),
    ("post", "/api/v1/sites/{slug}/sso-secret"),
    ("post", "/api/v1/threads/{thread_id}/comments"),
    ("post", "/api/v1/webhooks"),
    ("post", "/api/v1/webhooks/{endpoint_id}/deliveries/resend-failed"),
    ("post", "/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend"),
    ("post", "/api/v1/webhooks/{endpoint_id}/rotate-secret"),
    ("post", "/v1alpha1/comments:analyze"),
    ("post", "/v1alpha1/comments:suggestscore"),
}
"""The 41 operations of the hand-written document this one replaced; more may come."""


def test_every_operation_of_the_document_stays(client):
    paths = client.get("/openapi.json").json["paths"]
    documented = {(method, path) for path, operations in paths.items() for method in operations}
    assert documented >= OPERATIONS
    assert not any(path.startswith("/dashboard") for _, path in documented)


def test_every_answer_is_a_model_of_the_components_and_errors_have_their_shape(client):
    document = client.get("/openapi.json").json
    schemas = document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if "content" not in response:
                    assert status == "204", (method, path, status)
                    continue
                schema = response["content"]["application/json"]["schema"]
                refs = [item["$ref"] for item in schema.get("oneOf", [schema])]
                names = [ref.removeprefix("#/components/schemas/") for ref in refs]
                assert all(name in schemas for name in names), (method, path, status)
                if status.startswith(("4", "5")) and not path.startswith("/readyz"):
                    expected = "GoogleError" if path.startswith("/v1alpha1") else "Error"
                    assert names == [expected], (method, path, status)
