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


def test_schemathesis_finds_no_server_errors_or_schema_violations(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    cli = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    result = subprocess.run(
        [
            cli,
            "run",
            f"{sandbox.url}/openapi.json",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,"
            "response_schema_conformance",
            "--header",
            f"Authorization: Bearer {DEMO_API_KEY}",
            "--max-examples",
            "40",
            "--seed",
            "1",
            "--phases",
            "examples,coverage,fuzzing",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
