"""The CI workflow (GitHub Actions) parses, covers the three desktops and runs ./run's commands."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.packaging.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "build.yml"


def load() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(data, dict)
    return data


def commands(job: dict[str, Any]) -> list[str]:
    return [step["run"].strip() for step in job["steps"] if "run" in step]


def test_workflow_parses_and_builds_on_three_desktops() -> None:
    workflow = load()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"push", "pull_request"} <= set(triggers)
    (job,) = workflow["jobs"].values()
    oses = job["strategy"]["matrix"]["os"]
    assert {re.sub(r"-.*", "", os) for os in oses} == {"ubuntu", "windows", "macos"}
    assert job["runs-on"] == "${{ matrix.os }}"
    assert job["defaults"]["run"]["shell"] == "bash"  # Git Bash on Windows runs ./run
    assert job["timeout-minutes"] <= 30
    python = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"].split() == ["3.11", "3.13"]


def test_jobs_run_the_same_commands_as_run_and_ci() -> None:
    (job,) = load()["jobs"].values()
    run_commands = [c for c in commands(job) if c.startswith("./run")]
    assert run_commands == ["./run package", "./run test"]
    test_step = next(s for s in job["steps"] if s.get("run", "").strip() == "./run test")
    assert test_step["if"] == "success() || failure()"  # tests run even when packaging failed
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./run test" in ci
    assert "./run package" in ci
    script = (ROOT / "run").read_text()
    for case in ("test)", "package)"):
        assert f"\n  {case}\n" in script
    assert "QT_QPA_PLATFORM=offscreen" in script  # the suite runs offscreen on every runner


def test_artifacts_are_what_the_build_makes() -> None:
    (job,) = load()["jobs"].values()
    upload = next(
        s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")
    )
    paths = upload["with"]["path"].split()
    assert paths == ["dist/*.tar.gz", "dist/*-setup.exe", "dist/*.dmg"]
    assert upload["with"]["if-no-files-found"] == "error"
    finish = (ROOT / "packaging" / "finish.py").read_text()
    for made in ("linux-{machine}.tar.gz", "windows-x64-setup.exe", "-macos.dmg"):
        assert made in finish
