"""Recordings arrive in the library: downloaded, verified, resumed, retried; never half-listed."""

from __future__ import annotations

import os
import sqlite3
import time
import uuid as uuid_module
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from dialdeck.core import library
from dialdeck.core.api import CloudDialerClient
from dialdeck.core.downloads import RecordingDownloader
from dialdeck.core.library import RecState
from dialdeck.core.store import AsyncHistory, HistoryStore
from dialdeck.sandbox import DEMO_API_KEY, SandboxServer
from tests.core.test_client_sandbox import FAST_RETRY, call_request, poll_until_over
from tests.support.disks import resize, tiny_disk

pytestmark = pytest.mark.anyio


@pytest.fixture
async def history(tmp_path: Path) -> AsyncIterator[AsyncHistory]:
    store = AsyncHistory(tmp_path / "h.sqlite3")
    await store.open()
    yield store
    await store.close()


async def finished_recording(client: CloudDialerClient, history: AsyncHistory) -> tuple[str, str]:
    request = call_request()
    accepted = await client.initiate_call(request)
    await history.run(
        HistoryStore.record_placing, uuid=request.uuid, to_number="9876543210", from_number="919800000000",
        agent="agent.017", sandbox=True,
    )  # fmt: skip
    info = await poll_until_over(client, accepted.call_id)
    assert info.recording_url
    return request.uuid, info.recording_url


async def test_download_lists_only_verified_files(
    sandbox: SandboxServer, history: AsyncHistory, tmp_path: Path
) -> None:
    changed: list[int] = []
    progress: list[int] = []
    async with CloudDialerClient(sandbox.url, DEMO_API_KEY, retry=FAST_RETRY) as client:
        downloader = RecordingDownloader(
            client, history, tmp_path / "recordings",
            on_changed=changed.append, on_progress=lambda rid, done, total: progress.append(done),
        )  # fmt: skip
        (tmp_path / "recordings").mkdir()
        call_uuid, url = await finished_recording(client, history)
        rec_id = await downloader.add(call_uuid, url, "Call with +91 98765 43210")
        await downloader.wait_idle()
    row = await history.run(library.get, rec_id)
    assert row is not None
    assert row.state is RecState.LOCAL
    assert row.duration == pytest.approx(20.0)
    assert row.path == str(tmp_path / "recordings" / f"{call_uuid}.wav")
    assert Path(row.path).stat().st_size == row.size
    assert progress[-1] == row.size
    assert changed.count(rec_id) >= 2  # pending, then local


async def test_interrupted_download_is_never_listed_and_resumes(
    sandbox: SandboxServer, history: AsyncHistory, tmp_path: Path
) -> None:
    directory = tmp_path / "recordings"
    directory.mkdir()
    async with CloudDialerClient(sandbox.url, DEMO_API_KEY, retry=FAST_RETRY) as client:
        call_uuid, url = await finished_recording(client, history)
        # Every attempt is cut after 40 kB: the download fails, the part file stays.
        httpx.post(f"{sandbox.url}/_sandbox/faults", json={"drop_rate": 1.0, "drop_after_bytes": 40_000,
                   "path_prefix": "/recordings"}, timeout=5)  # fmt: skip
        downloader = RecordingDownloader(client, history, directory, retry_delays=(timedelta(0),))
        rec_id = await downloader.add(call_uuid, url, "t")
        await downloader.wait_idle()
        row = await history.run(library.get, rec_id)
        assert row is not None
        assert row.state is RecState.FAILED
        assert "Cannot reach CloudDialer" in (row.error or "")
        assert not (directory / f"{call_uuid}.wav").exists()
        part = directory / f"{call_uuid}.wav.part"
        assert part.stat().st_size >= 40_000

        # "Restart": a new downloader finds the due retry and resumes from the part file.
        httpx.post(f"{sandbox.url}/_sandbox/faults", json={}, timeout=5)  # the network is back
        again = RecordingDownloader(client, history, directory)
        await again.run_due()
        await again.wait_idle()
    row = await history.run(library.get, rec_id)
    assert row is not None
    assert row.state is RecState.LOCAL
    ranges = [
        r.headers.get("range") for r in sandbox.app.requests if r.path.startswith("/recordings")
    ]
    assert ranges[-1] is not None
    assert ranges[-1].startswith("bytes=")
    assert httpx.get(url, timeout=5).content == Path(row.path or "").read_bytes()


async def test_recording_gone_from_server_fails_for_good(
    sandbox: SandboxServer, history: AsyncHistory, tmp_path: Path
) -> None:
    async with CloudDialerClient(sandbox.url, DEMO_API_KEY, retry=FAST_RETRY) as client:
        call_uuid = str(uuid_module.uuid4())
        await history.run(
            HistoryStore.record_placing, uuid=call_uuid, to_number="9876543210", from_number="9198",
            agent="a", sandbox=True,
        )  # fmt: skip
        downloader = RecordingDownloader(client, history, tmp_path)
        rec_id = await downloader.add(call_uuid, f"{sandbox.url}/recordings/crm_gone.wav", "t")
        await downloader.wait_idle()
    row = await history.run(library.get, rec_id)
    assert row is not None
    assert row.state is RecState.FAILED
    assert row.next_try_at is None
    assert "no longer available" in (row.error or "")


async def placed(history: AsyncHistory, call_uuid: str) -> str:
    await history.run(
        HistoryStore.record_placing, uuid=call_uuid, to_number="9876543210", from_number="9198",
        agent="a", sandbox=True,
    )  # fmt: skip
    return call_uuid


async def test_part_of_a_recording_that_fails_for_good_is_removed(
    sandbox: SandboxServer, history: AsyncHistory, tmp_path: Path
) -> None:
    """Interrupted earlier (a .part exists), then the server says 404: nothing will resume it."""
    async with CloudDialerClient(sandbox.url, DEMO_API_KEY, retry=FAST_RETRY) as client:
        call_uuid = await placed(history, str(uuid_module.uuid4()))
        (tmp_path / "rec").mkdir()
        (tmp_path / "rec" / f"{call_uuid}.wav.part").write_bytes(b"RIFF" + bytes(40_000))
        downloader = RecordingDownloader(client, history, tmp_path / "rec")
        rec_id = await downloader.add(call_uuid, f"{sandbox.url}/recordings/crm_gone.wav", "t")
        await downloader.wait_idle()
    row = await history.run(library.get, rec_id)
    assert row is not None and row.state is RecState.FAILED and row.next_try_at is None
    assert list((tmp_path / "rec").iterdir()) == []


async def test_insecure_recording_url_fails_for_good(history: AsyncHistory, tmp_path: Path) -> None:
    async with CloudDialerClient("https://api.clouddialer.in", DEMO_API_KEY) as client:
        downloader = RecordingDownloader(client, history, tmp_path)
        rec_id = await downloader.add(
            await placed(history, "u1"), "http://files.example.invalid/recordings/r.wav", "t"
        )
        await downloader.wait_idle()
    row = await history.run(library.get, rec_id)
    assert row is not None and row.state is RecState.FAILED and row.next_try_at is None
    assert "only over https" in (row.error or "")


async def test_stray_part_files_are_removed_at_the_first_run(
    history: AsyncHistory, tmp_path: Path
) -> None:
    directory = tmp_path / "recordings"
    directory.mkdir()
    # A download still to be resumed (pending, its server unreachable for now) keeps its .part.
    await placed(history, "u-pending")
    rec_id = await history.run(library.add_pending, "u-pending", "https://192.0.2.1/r.wav", "t")
    assert rec_id
    old = time.time() - 3600
    for name in ("u-pending.wav.part", "u-deleted.wav.part", "import-x.wav.part", "notes.txt"):
        (directory / name).write_bytes(b"x")
        os.utime(directory / name, (old, old))
    async with CloudDialerClient("https://api.clouddialer.in", DEMO_API_KEY) as client:
        downloader = RecordingDownloader(client, history, directory)
        (directory / "u-new.wav.part").write_bytes(b"x")  # written after the downloader started
        os.utime(directory / "u-new.wav.part", (time.time() + 5,) * 2)
        await downloader._sweep_parts()
    assert sorted(p.name for p in directory.iterdir()) == [
        "import-x.wav.part",
        "notes.txt",
        "u-new.wav.part",
        "u-pending.wav.part",
    ]


async def test_a_full_disk_is_said_and_the_recording_saved_once_there_is_room(
    sandbox: SandboxServer, history: AsyncHistory, tmp_path: Path
) -> None:
    """A real full disk (a 64 kB tmpfs for a 320 kB recording): said in plain words, never
    listed, retried later, and complete once there is room again (resumed, not restarted)."""
    folder = tmp_path / "recordings"
    problems: list[str] = []
    clock = {"now": datetime.now(UTC)}
    with tiny_disk(folder, "64k"):
        async with CloudDialerClient(sandbox.url, DEMO_API_KEY, retry=FAST_RETRY) as client:
            downloader = RecordingDownloader(
                client, history, folder, on_problem=problems.append, now=lambda: clock["now"]
            )
            call_uuid, url = await finished_recording(client, history)
            rec_id = await downloader.add(call_uuid, url, "Call with +91 98765 43210")
            await downloader.wait_idle()
            row = await history.run(library.get, rec_id)
            assert row is not None and row.state is RecState.FAILED
            assert row.error is not None
            assert row.error.startswith("Not saved: the disk is full. Dialdeck tries again at ")
            assert problems == ["A recording could not be saved: the disk is full."]
            assert not list(folder.glob("*.wav"))  # only the .part, which a retry resumes

            resize(folder, "2m")
            clock["now"] += timedelta(minutes=2)  # the retry is due
            await downloader.run_due()
            await downloader.wait_idle()
            row = await history.run(library.get, rec_id)
            assert row is not None and row.state is RecState.LOCAL and row.path is not None
            fetches = [r for r in sandbox.app.requests if r.path.startswith("/recordings")]
            assert fetches[-1].headers.get("range", "").startswith("bytes=")  # resumed
            assert fetches[-1].headers["range"] != "bytes=0-"
            assert (
                Path(row.path).read_bytes()
                == httpx.get(httpx.URL(sandbox.url).join(url), timeout=5).content
            )


async def test_when_even_the_failure_cannot_be_recorded_it_is_said_and_due_again(
    sandbox: SandboxServer,
    history: AsyncHistory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The history refuses to note the failure too (its disk is full): the agent is told, the
    download task ends cleanly (nothing 'never retrieved'), and the recording is due again."""

    def refuse(*_args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    problems: list[str] = []
    async with CloudDialerClient(sandbox.url, DEMO_API_KEY, retry=FAST_RETRY) as client:
        # A file where the recordings folder should be: the download fails on our side (OSError).
        (tmp_path / "taken").write_text("not a folder")
        downloader = RecordingDownloader(
            client, history, tmp_path / "taken", on_problem=problems.append
        )
        call_uuid, url = await finished_recording(client, history)
        monkeypatch.setattr(library, "mark_failed", refuse)
        rec_id = await downloader.add(call_uuid, url, "Call with +91 98765 43210")
        tasks = list(downloader._active.values())
        await downloader.wait_idle()
    assert all(task.exception() is None for task in tasks)
    assert problems[-1] == "A recording's state could not be saved: the disk is full."
    row = await history.run(library.get, rec_id)
    assert row is not None and row.state is RecState.PENDING  # tried again at the next run
    assert [r.id for r in await history.run(library.due_downloads, datetime.now(UTC))] == [rec_id]


async def test_a_web_page_instead_of_a_recording_is_said_and_tried_later(
    history: AsyncHistory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A 200 answer holding an HTML error page: never listed, its reason logged (it was "()").
    The recordings folder does not exist yet (deleted while Dialdeck ran): it is made again."""

    def answer(_request: httpx.Request) -> httpx.Response:
        page = b"<!doctype html><html><body>Service unavailable</body></html>" * 20
        return httpx.Response(
            200, stream=httpx.ByteStream(page), headers={"Content-Type": "text/html"}
        )

    transport = httpx.MockTransport(answer)
    async with CloudDialerClient("http://127.0.0.1:9", DEMO_API_KEY, transport=transport) as client:
        downloader = RecordingDownloader(client, history, tmp_path / "rec")
        with caplog.at_level("INFO", logger="dialdeck"):
            rec_id = await downloader.add(
                await placed(history, "u1"), "http://127.0.0.1:9/recordings/r.wav", "t"
            )
            await downloader.wait_idle()
    row = await history.run(library.get, rec_id)
    assert row is not None and row.state is RecState.FAILED and row.next_try_at is not None
    assert "looks like a web page" in (row.error or "")
    assert "recording download failed (The downloaded recording is not playable" in caplog.text
    assert not (tmp_path / "rec").exists() or list((tmp_path / "rec").iterdir()) == []


async def test_a_recording_server_that_asks_to_wait_is_tried_again_when_it_said(
    history: AsyncHistory, tmp_path: Path
) -> None:
    """429 with Retry-After: half an hour: not the one minute of the first retry delay."""
    now = datetime(2026, 7, 3, 10, 0, tzinfo=UTC)

    def answer(_request: httpx.Request) -> httpx.Response:
        body = httpx.ByteStream(b'{"status": "error", "message": "slow down"}')
        return httpx.Response(429, headers={"Retry-After": "1800"}, stream=body)

    transport = httpx.MockTransport(answer)
    async with CloudDialerClient("http://127.0.0.1:9", DEMO_API_KEY, transport=transport) as client:
        downloader = RecordingDownloader(client, history, tmp_path / "rec", now=lambda: now)
        rec_id = await downloader.add(
            await placed(history, "u1"), "http://127.0.0.1:9/recordings/r.wav", "t"
        )
        await downloader.wait_idle()
    row = await history.run(library.get, rec_id)
    assert row is not None and row.state is RecState.FAILED
    assert row.next_try_at == now + timedelta(minutes=30)
    assert "slow down" in (row.error or "")
