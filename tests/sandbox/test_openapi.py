"""Schemathesis fuzzes the running sandbox against its own OpenAPI document."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from dialdeck.resources import resource_path
from dialdeck.sandbox import DEMO_API_KEY, SandboxServer
from tests.sandbox.test_http import finished_recording


def test_openapi_document_is_served(sandbox: SandboxServer) -> None:
    served = httpx.get(f"{sandbox.url}/openapi.json", timeout=5).json()
    assert served == json.loads(resource_path("openapi.json").read_text())
    assert set(served["paths"]) == {
        "/health",
        "/calls",
        "/calls/{call_id}",
        "/calls/{call_id}/participants",
        "/recordings/{name}",
    }


# Every check schemathesis has. Per-operation settings say only what the contract documents:
# POST /calls answers 502 by design when the platform refuses (the scripted 5555 numbers).
SCHEMATHESIS_CONFIG = """
[[operations]]
include-name = "POST /calls"
checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "502"]

[[operations]]
include-name = "GET /recordings/{{name}}"
parameters = {{ name = "{recording}" }}
"""


def test_schemathesis_runs_every_check(sandbox: SandboxServer, tmp_path: Path) -> None:
    recording = finished_recording(sandbox).rsplit("/", 1)[-1]
    config = tmp_path / "schemathesis.toml"
    config.write_text(SCHEMATHESIS_CONFIG.format(recording=recording))
    root = Path(__file__).resolve().parents[2]
    pythonpath = os.pathsep.join(
        p for p in (str(root), str(root / "src"), os.environ.get("PYTHONPATH")) if p
    )
    cli = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    result = subprocess.run(
        [
            cli,
            "--config-file",
            str(config),
            "run",
            f"{sandbox.url}/openapi.json",
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {DEMO_API_KEY}",
            "--max-examples",
            "15",
            "--seed",
            "1",
            "--phases",
            "examples,coverage,fuzzing,stateful",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env={
            **os.environ,
            "SCHEMATHESIS_HOOKS": "tests.sandbox.schemathesis_hooks",
            "PYTHONPATH": pythonpath,
            "NO_COLOR": "1",
        },
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Missing test data" not in result.stdout  # the recording was really downloaded


def test_405_lists_the_allowed_methods(sandbox: SandboxServer) -> None:
    response = httpx.delete(f"{sandbox.url}/calls", timeout=5)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["status"] == "error"
    response = httpx.request("TRACE", f"{sandbox.url}/calls/abc", timeout=5)
    assert response.headers["allow"] == "GET, HEAD"


def test_schema_requires_exactly_one_agent_field() -> None:
    schema = json.loads(resource_path("openapi.json").read_text())
    call = schema["components"]["schemas"]["CallRequest"]
    assert [sorted(branch["required"]) for branch in call["oneOf"]] == [
        ["crm_username"],
        ["agent_number"],
    ]
    assert call["properties"]["to_number"]["$ref"] == "#/components/schemas/Number"
    assert schema["components"]["schemas"]["Number"]["pattern"] == (
        "^(?:[0-9]{10}|\\+91[0-9]{10})$"
    )
