"""``dialdeck-sandbox`` as integrators run it: a separate process, the seed's example unchanged."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dialdeck.core.audio import probe_audio
from dialdeck.sandbox import SandboxConfig, cli
from dialdeck.sandbox.cli import BANNER_END, build_config, parse_args
from dialdeck.sandbox.server import SandboxServer

SEED_REQUEST = {
    "from_number": "919800000000",
    "to_number": "9876543210",
    "crm_username": "agent.017",
    "uuid": "550e8400-e29b-41d4-a716-446655440000",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start(*args: str) -> tuple[subprocess.Popen[str], str, str]:
    """Start ``dialdeck-sandbox`` and return once its banner is complete (its last line)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dialdeck.sandbox.cli", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    url = f"http://127.0.0.1:{port}"
    banner: list[str] = []
    deadline = time.monotonic() + 20
    while True:
        line = proc.stdout.readline()
        banner.append(line)
        if line.strip() == BANNER_END:
            return proc, url, "".join(banner)
        assert line and time.monotonic() < deadline, f"did not start: {''.join(banner)}"


@pytest.fixture
def standalone() -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc, url, _banner = start("--speed", "20", "--talk-time", "4")
    yield proc, url
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        proc.wait(10)
    assert proc.stdout is not None
    proc.stdout.close()


def test_seed_example_end_to_end(
    standalone: tuple[subprocess.Popen[str], str], tmp_path: Path
) -> None:
    proc, url = standalone
    headers = {"Authorization": "Bearer sandbox-demo-key"}
    accepted = httpx.post(f"{url}/calls", json=SEED_REQUEST, headers=headers, timeout=5)
    assert accepted.status_code == 200
    assert accepted.json()["message"] == "Call initiated"
    call_id = accepted.json()["call_id"]
    deadline = time.monotonic() + 10
    while True:
        info = httpx.get(f"{url}/calls/{call_id}", headers=headers, timeout=5).json()
        if info["end_time"]:
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert info["uuid"] == SEED_REQUEST["uuid"]
    assert info["call_status"] == "ANSWER"
    wav = tmp_path / "rec.wav"
    wav.write_bytes(httpx.get(info["recording_url"], timeout=5).content)
    assert probe_audio(wav).duration == pytest.approx(4.0)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(10) == 0


def test_banner_prints_demo_key_and_custom_key() -> None:
    proc, _url, banner = start("--api-key", "my-key")
    try:
        proc.send_signal(signal.SIGINT)  # only once the banner's last line is out
        assert proc.wait(10) == 0
        assert proc.stdout is not None
        rest = proc.stdout.read()  # the same buffered reader start() used
        proc.stdout.close()
    finally:
        proc.kill()
    assert "API key:    my-key" in banner
    assert "sandbox-demo-key" not in banner
    assert rest.strip().endswith("sandbox stopped")
    assert "Traceback" not in rest


@pytest.fixture
def restored_signals() -> Iterator[None]:
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    assert {sig: signal.getsignal(sig) for sig in before} == before  # main() put them back


@pytest.mark.usefixtures("restored_signals")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_while_starting_exits_cleanly(
    sig: signal.Signals, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CI failure: Ctrl+C before the server was up killed the process (exit -2)."""
    real_start = SandboxServer.start
    started: list[SandboxServer] = []

    def start_interrupted(self: SandboxServer, timeout: float = 10.0) -> str:
        signal.raise_signal(sig)  # arrives mid start-up, as on a loaded CI machine
        started.append(self)
        return real_start(self, timeout)

    monkeypatch.setattr(SandboxServer, "start", start_interrupted)
    assert cli.main(["--port", "0"]) == 128 + sig
    out, err = capsys.readouterr()
    assert f"stopped by {sig.name} before it was serving" in err
    assert "Traceback" not in err
    assert "listening on" not in out
    assert started and started[0]._thread is None  # the server thread was stopped and joined


@pytest.mark.usefixtures("restored_signals")
def test_signal_before_the_web_stack_is_loaded(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_build = cli.build_config

    def build_interrupted(args: argparse.Namespace) -> SandboxConfig:
        signal.raise_signal(signal.SIGINT)
        return real_build(args)

    monkeypatch.setattr(cli, "build_config", build_interrupted)
    monkeypatch.setattr(SandboxServer, "start", lambda *a: pytest.fail("started anyway"))
    assert cli.main(["--port", "0"]) == 130
    assert "stopped by SIGINT" in capsys.readouterr().err


def test_cli_module_imports_no_web_stack() -> None:
    code = (
        "import sys, dialdeck.sandbox.cli; "
        "print(sorted(m for m in ('uvicorn', 'starlette', 'httpx') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    assert result.stdout.strip() == "[]"


def test_config_file(tmp_path: Path) -> None:
    config_file = tmp_path / "sandbox.toml"
    config_file.write_text(
        'talk_time = 7\ncallback_url = "http://127.0.0.1:9/x"\n'
        '[[accounts]]\nname = "acme"\napi_key = "acme-key"\ncaller_ids = ["919811111111"]\n'
        'agents = ["alice"]\nallowed_networks = ["10.0.0.0/8"]\n'
    )
    config = build_config(parse_args(["--config", str(config_file), "--speed", "3"]))
    assert config.speed == 3
    assert config.timings.talk_time == 7
    acme = config.account_for_key("acme-key")
    assert acme is not None
    assert acme.agents == ("alice",)
    assert not acme.allows_client("127.0.0.1", None)
    assert acme.allows_client("10.1.2.3", None)
    assert config.account_for_key("sandbox-demo-key") is not None  # the demo account stays


def test_bad_config_and_busy_port(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[accounts]]\nname = 'no key'\n")
    result = subprocess.run(
        [sys.executable, "-m", "dialdeck.sandbox.cli", "--config", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ},
    )
    assert result.returncode == 2
    assert "account 1 is invalid" in result.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "dialdeck.sandbox.cli", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert "cannot listen" in result.stderr


def test_talk_times_from_config_and_flags(tmp_path: Path) -> None:
    config_file = tmp_path / "sandbox.toml"
    config_file.write_text('[talk_times]\n"3210" = 45\n"agent.017" = 60\n')
    args = ["--config", str(config_file), "--talk-time-for", "3210=5", "--talk-time-for", "99=7"]
    config = build_config(parse_args(args))
    assert config.talk_time_for("9876543210") == 5  # the flag replaces the file's entry
    assert config.talk_time_for("9123456799") == 7
    assert config.talk_time_for("agent.017") == 60
    assert config.talk_time_for("9123456788") is None
    assert config.party_talk_time("9123456788") == config.timings.talk_time


@pytest.mark.parametrize("bad", ["3210", "3210=long", "3210=-1", "=5"])
def test_bad_talk_time_flag(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_config(parse_args(["--talk-time-for", bad]))
