"""Schemathesis hooks (loaded by ``test_openapi.py`` through ``SCHEMATHESIS_HOOKS``).

An account's caller IDs and registered agents are onboarding data, not schema: a caller ID that is
not the account's is a documented 400 that no JSON Schema can express. Like a real integrator, the
fuzzer is given the account's values; every other field stays fuzzed, and a value that breaks the
schema (wrong type, empty) is left alone so negative cases stay negative.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from dialdeck.sandbox import DEMO_AGENT, DEMO_CALLER_IDS


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    if case.operation.label != "POST /calls" or not isinstance(case.body, dict):
        return case
    body = dict(case.body)
    if isinstance(body.get("from_number"), str) and body["from_number"]:
        body["from_number"] = DEMO_CALLER_IDS[0]
    if isinstance(body.get("crm_username"), str) and body["crm_username"]:
        body["crm_username"] = DEMO_AGENT
    case.body = body
    return case
