"""Property-based tests of the live HTTP service from its committed OpenAPI document.

schemathesis generates valid and invalid requests for every route: no response is a 500,
and every response fits the documented status codes, content types and schemas.
"""

from __future__ import annotations

import json
import os

import pytest

if os.environ.get("CLEARING_CI") == "1":  # under CI a missing [dev] extra is a failure
    import schemathesis
else:
    schemathesis = pytest.importorskip("schemathesis")
from clearing_bindings.http.openapi import COMMITTED
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

schema = schemathesis.openapi.from_dict(json.loads(COMMITTED.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def fuzzed(launch):  # type: ignore[no-untyped-def]
    """A server of its own, so its metrics count this module's requests only."""
    return launch()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_error_and_no_schema_violation(case, fuzzed) -> None:  # type: ignore[no-untyped-def]
    # schema-valid data the library refuses (a negative quantity, arrays of different
    # lengths) is a documented 400, not a failure
    case.call_and_validate(base_url=fuzzed.url, excluded_checks=[positive_data_acceptance])


def test_the_fuzzing_sent_valid_and_invalid_requests(fuzzed) -> None:  # type: ignore[no-untyped-def]
    import re

    import httpx

    text = httpx.get(fuzzed.url + "/metrics").text
    counts: dict[str, float] = {}
    for status, n in re.findall(
        r'clearing_http_requests_total\{op="[^"]+",status="(\d+)"\} (\S+)', text
    ):
        counts[status] = counts.get(status, 0) + float(n)
    assert counts.get("200", 0) > 0 and counts.get("422", 0) > 0, counts
    assert "500" not in counts
    print(counts)
