"""Hostile input: schemathesis generates requests from the app's own ``/openapi.json``.

Every operation gets valid (positive) and invalid (negative) requests, with an
admin's bearer token so that the generated data reaches the views behind it. No
answer may be a 5xx, and every answer must be one the document describes: its
status code, content type and body schema. The document is derived from the views'
reply models (``service.openapi``), so this checks that the views answer what their
models say, on SQLite and on PostgreSQL (the stricter about text).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support import databases
from tests.support.accounts import add, bearer, token_for

EXAMPLES = {GenerationMode.POSITIVE: 80, GenerationMode.NEGATIVE: 50}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
MINIMUM_CASES = 2000
DOCUMENTED_503 = {"/readyz"}
"""Not ready is an answer there (no scoring worker runs here), and the document says so."""


database_url = databases.database_fixture("module", "fuzz-db")


@pytest.fixture
def settings(settings: dict) -> dict:
    settings.update(RATELIMIT_ENABLED=False, WEBHOOK_ALLOW_PRIVATE_URLS=True)
    return settings


def fuzz(operation, mode: GenerationMode, examples: int, headers: dict[str, str],
         failures: list[str]) -> int:
    """Send up to ``examples`` generated requests to ``operation``; return how many were sent.

    A failure (the smallest example Hypothesis finds) is added to ``failures``.
    """
    sent = 0

    @hypothesis_settings(max_examples=examples, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        nonlocal sent
        sent += 1
        checks = [check for check in CHECKS if check is not not_a_server_error
                  or operation.path not in DOCUMENTED_503]
        case.call_and_validate(headers=headers, checks=checks)

    try:
        run()
    except Unsatisfiable:
        pass  # no invalid request exists for it (say, GET /healthz)
    except (Exception, BaseExceptionGroup) as error:
        failures.append(f"{operation.label} [{mode.value}]: {error}")
    return sent


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_generated_requests_get_documented_answers_and_never_a_5xx(app, capsys):
    add(app, "ada", role="admin")
    headers = bearer(token_for(app, "ada"))
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    # The token goes to the operations that need one: a public POST reads any bearer
    # token as a signed-in commenter's (and answers 401 to a moderator's).
    counts = {f"{operation.label} [{mode.value}]": fuzz(
        operation, mode, examples, headers if "security" in operation.definition.raw else {},
        failures)
              for operation in operations for mode, examples in EXAMPLES.items()}
    total = sum(counts.values())

    with capsys.disabled():
        print(f"\n  [schemathesis] {total} generated requests over {len(operations)} "
              f"operations (the fewest: {min(counts.values())} for "
              f"{min(counts, key=counts.get)})")
    assert not failures, "\n\n".join(failures)
    assert len(operations) >= 15
    assert total >= MINIMUM_CASES
