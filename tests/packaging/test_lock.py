"""The lock (uv.lock and the requirement files exported from it) agrees with pyproject.toml."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from uv import find_uv_bin

from tests.packaging.conftest import ROOT

EXPORTS = {
    "requirements/dev.txt": ["--extra", "test"],
    "requirements/package.txt": ["--group", "package"],
}


def uv(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UV_NO_PROGRESS": "1"}
    return subprocess.run(
        [find_uv_bin(), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


def test_uv_lock_matches_pyproject() -> None:
    """`uv lock --check` fails when pyproject.toml changed without `./run lock`. Offline when the
    two agree; a disagreement is confirmed against PyPI."""
    done = uv("lock", "--check")
    assert done.returncode == 0, f"uv.lock is stale: run ./run lock\n{done.stderr}"


@pytest.mark.parametrize("path", sorted(EXPORTS))
def test_requirement_files_are_the_lock_exported(path: str, tmp_path: Path) -> None:
    """What pip installs (./run, CI, the builds) is exactly what uv.lock says (offline)."""
    out = tmp_path / "export.txt"
    done = uv("export", "-q", "--frozen", "--no-emit-project", *EXPORTS[path], "-o", str(out))
    assert done.returncode == 0, done.stderr
    strip_header = lambda text: re.sub(r"\A(#.*\n)+", "", text)  # noqa: E731
    assert strip_header(out.read_text()) == strip_header((ROOT / path).read_text()), (
        f"{path} is not uv.lock exported: run ./run lock"
    )


def test_lock_covers_every_supported_python_and_desktop() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert lock["requires-python"].replace(" ", "") == project["project"][
        "requires-python"
    ].replace(" ", "")
    required = " ".join(lock["required-markers"])
    for platform in ("win32", "darwin", "linux"):
        assert f"sys_platform == '{platform}'" in required
    # Issue #8: PySide6 6.11 on 3.11 (6.12 aborts there), 6.12 allowed from 3.12.
    dev = (ROOT / "requirements" / "dev.txt").read_text()
    assert re.search(r"^pyside6-essentials==6\.11\.\d+ ; python_full_version < '3\.12'", dev, re.M)
    assert re.search(
        r"^pyside6-essentials==6\.1[12]\.\d+ ; python_full_version >= '3\.12'", dev, re.M
    )


def test_every_requirement_is_pinned_with_hashes() -> None:
    for path in EXPORTS:
        text = (ROOT / path).read_text()
        names = re.findall(r"^([A-Za-z0-9_.-]+)==", text, re.M)
        assert names, path
        blocks = re.split(r"^(?=[A-Za-z0-9_.-]+==)", text, flags=re.M)[1:]
        for block in blocks:
            assert "--hash=sha256:" in block, f"{path}: {block.splitlines()[0]} has no hash"
    assert not re.search(r"^-e ", (ROOT / "requirements/dev.txt").read_text(), re.M)


def test_run_installs_from_the_lock() -> None:
    run = (ROOT / "run").read_text()
    assert 'pip install -q --require-hashes -r "$lock"' in run
    assert "pip install -q --no-deps -e ." in run
    assert 'install_python_env .venv-package "$py" requirements/package.txt no' in run
