"""Recording downloads against the real sandbox over loopback sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from dialdeck.core.api import CallInfo, CloudDialerClient, NotFoundError, RecordingInvalidError
from dialdeck.sandbox import DEMO_API_KEY, SandboxServer
from tests.core.test_client_sandbox import (
    FAST_RETRY,
    call_request,
    poll_until_over,
    sandbox_requests,
    set_faults,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client(sandbox: SandboxServer) -> AsyncIterator[CloudDialerClient]:
    async with CloudDialerClient(sandbox.url, DEMO_API_KEY, retry=FAST_RETRY) as api:
        yield api


async def finished_call_with_recording(client: CloudDialerClient) -> CallInfo:
    accepted = await client.initiate_call(call_request())
    final = await poll_until_over(client, accepted.call_id)
    assert final.recording_url
    return final


async def test_download_resumes_after_a_dropped_connection(
    client: CloudDialerClient, sandbox: SandboxServer, tmp_path: Path
) -> None:
    final = await finished_call_with_recording(client)
    assert final.recording_url
    set_faults(sandbox, drop_rate=1.0, count=1, drop_after_bytes=50_000, path_prefix="/recordings")
    dest = tmp_path / "r.wav"
    await client.download_recording(final.recording_url, dest)
    downloads = [r for r in sandbox_requests(sandbox) if r["path"].startswith("/recordings")]
    assert len(downloads) == 2
    assert "range" not in {k.lower() for k in downloads[0]["headers"]}
    assert downloads[1]["headers"]["range"] == "bytes=50000-"
    full = httpx.get(final.recording_url, timeout=5).content
    assert dest.read_bytes() == full


async def test_download_resumes_a_part_file_left_by_an_earlier_run(
    client: CloudDialerClient, sandbox: SandboxServer, tmp_path: Path
) -> None:
    final = await finished_call_with_recording(client)
    assert final.recording_url
    full = httpx.get(final.recording_url, timeout=5).content
    dest = tmp_path / "r.wav"
    dest.with_name("r.wav.part").write_bytes(full[:1000])
    progress: list[int] = []
    await client.download_recording(
        final.recording_url, dest, progress=lambda d, t: progress.append(d)
    )
    assert dest.read_bytes() == full
    assert progress[0] == 1000
    assert sandbox_requests(sandbox)[-1]["headers"]["range"] == "bytes=1000-"


async def test_damaged_download_is_never_kept(
    client: CloudDialerClient, sandbox: SandboxServer, tmp_path: Path
) -> None:
    final = await finished_call_with_recording(client)
    assert final.recording_url
    # Every attempt is cut after 100 bytes, so the client gives up with a part file it resumes later.
    set_faults(sandbox, drop_rate=1.0, drop_after_bytes=0, path_prefix="/recordings")
    dest = tmp_path / "r.wav"
    with pytest.raises(Exception, match="Cannot reach CloudDialer"):
        await client.download_recording(final.recording_url, dest)
    assert not dest.exists()
    # A part file holding garbage (not audio) is rejected and deleted, never renamed into place.
    set_faults(sandbox)
    dest.with_name("r.wav.part").write_bytes(b"<html>proxy error</html>" + b"x" * 10**6)
    with pytest.raises(RecordingInvalidError):
        await client.download_recording(final.recording_url, dest)
    assert not dest.exists() and not dest.with_name("r.wav.part").exists()


async def test_missing_recording_is_404(client: CloudDialerClient, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        await client.download_recording("/recordings/crm_nope.wav", tmp_path / "x.wav")


async def test_bearer_goes_only_to_the_api_origin(sandbox: SandboxServer, tmp_path: Path) -> None:
    """Same server reached as 127.0.0.1 (API origin) and as localhost (a "foreign" host)."""
    async with CloudDialerClient(sandbox.url, DEMO_API_KEY, retry=FAST_RETRY) as client:
        final = await finished_call_with_recording(client)
        assert final.recording_url and "127.0.0.1" in final.recording_url
        await client.download_recording(final.recording_url, tmp_path / "same.wav")
        same_origin = sandbox_requests(sandbox)[-1]
        foreign = final.recording_url.replace("127.0.0.1", "localhost")
        await client.download_recording(foreign, tmp_path / "foreign.wav")
        foreign_request = sandbox_requests(sandbox)[-1]
    assert same_origin["headers"].get("authorization") == f"Bearer …{DEMO_API_KEY[-4:]}"
    assert "authorization" not in foreign_request["headers"]


async def test_cancelled_while_opening_the_part_file_leaks_no_handle(
    client: CloudDialerClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import io
    import time

    final = await finished_call_with_recording(client)
    assert final.recording_url
    opened: list[io.BufferedWriter] = []
    real_open = Path.open

    def slow_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)  # the worker thread is still opening when the task is cancelled
        handle = real_open(self, *args, **kwargs)
        opened.append(handle)
        return handle

    monkeypatch.setattr(Path, "open", slow_open)
    task = asyncio.ensure_future(client.download_recording(final.recording_url, tmp_path / "r.wav"))
    await anyio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    with anyio.fail_after(3):
        while not opened or not opened[0].closed:
            await anyio.sleep(0.02)
    assert not (tmp_path / "r.wav").exists()
