"""Every webhook route is in the OpenAPI document, and so is every callback."""

from __future__ import annotations

import re


def test_every_webhook_route_is_documented(app, client):
    document = client.get("/openapi.json").json
    routes = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/webhooks")
              for method in rule.methods - {"HEAD", "OPTIONS"}}

    documented = {(path, method) for path, operations in document["paths"].items()
                  if path.startswith("/api/v1/webhooks") for method in operations}
    assert routes and routes == documented
    assert set(document["webhooks"]) == {"comment.created", "comment.approved",
                                         "comment.held", "comment.rejected",
                                         "comment.reported", "reports.dismissed",
                                         "comment.appealed", "appeal.decided"}
    for name in ("NewEndpoint", "EndpointChanges", "WebhookEvent", "WebhookDelivery"):
        assert name in document["components"]["schemas"]
