"""Generated requests with a valid key get documented answers in Google's shape.

No 5xx but the documented 503 (which the check below allows only as ``UNAVAILABLE``).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.service.perspective.conftest import new_key

pytestmark = pytest.mark.slow


@pytest.mark.timeout(300)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_reach_the_views_and_get_documented_answers(app, analyze_worker,
                                                                       mode):
    secret = new_key(app, quota=100_000)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()
                  if result.ok().path.startswith("/v1alpha1/")]
    assert len(operations) == 2
    statuses: set[int] = set()
    for operation in operations:

        @hypothesis_settings(max_examples=30, deadline=None, database=None,
                             suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case) -> None:
            case.query = {"key": secret}
            response = case.call_and_validate(checks=[
                status_code_conformance, content_type_conformance,
                response_schema_conformance])
            statuses.add(response.status_code)
            if response.status_code >= 400:
                assert set(response.json()["error"]) == {"code", "message", "status"}
            if response.status_code >= 500:
                assert response.status_code == 503  # documented: never an unexpected 5xx

        run()
    assert 403 not in statuses  # the key let them through to the views
    assert (200 if mode is GenerationMode.POSITIVE else 400) in statuses
