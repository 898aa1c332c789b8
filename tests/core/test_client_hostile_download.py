"""Recording downloads against a hostile server: bounded time, memory and transport; no stray .part."""

from __future__ import annotations

import asyncio
import io
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from dialdeck.core.api import (
    ClientLimits,
    HttpStatusError,
    InsecureUrlError,
    NotFoundError,
    RecordingInvalidError,
    RequestTimeoutError,
    part_file,
)
from dialdeck.core.api import download as download_module
from dialdeck.sandbox.wav import synthesize_call
from tests.core.hostile import (
    FAST_RETRY,
    MB,
    SHORT,
    Handler,
    HostileServer,
    Request,
    bounded,
    canned,
    drip,
    gzip_bomb,
    reply,
    short_client,
    slow_headers,
)

pytestmark = pytest.mark.anyio
WAV = synthesize_call(20, 8000, seed=1)  # 320 kB of real audio
ATTEMPTS_BOUND = FAST_RETRY.attempts * SHORT.download_rate_window  # each attempt stalls out


@pytest.fixture
async def hostile() -> AsyncIterator[HostileServer]:
    async with HostileServer() as server:
        yield server


@pytest.fixture
def sends(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every URL the client sends a request to (a refusal must come before any of them)."""
    urls: list[str] = []
    real_send = httpx.AsyncClient.send

    async def recording_send(self: httpx.AsyncClient, request: httpx.Request, **kw: Any) -> Any:
        urls.append(str(request.url))
        return await real_send(self, request, **kw)

    monkeypatch.setattr(httpx.AsyncClient, "send", recording_send)
    return urls


def wav_answer(data: bytes = WAV) -> Handler:
    """A well-behaved recording server: 200, or 206 for ``Range: bytes=N-``."""

    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        spec = request.headers.get("range", "")
        if spec.startswith("bytes="):
            start = int(spec[6:].rstrip("-"))
            rng = {"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"}
            writer.write(reply("206 Partial Content", data[start:], ctype="audio/wav", headers=rng))
        else:
            writer.write(reply("200 OK", data, ctype="audio/wav"))
        await writer.drain()

    return handler


def cut_after(size: int, then: Handler, data: bytes = WAV) -> Handler:
    """First request: 200 with the full length announced, ``size`` bytes, hang up. Then ``then``."""
    served = 0

    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        nonlocal served
        served += 1
        if served > 1:
            await then(request, writer)
            return
        writer.write(reply("200 OK", data[:size], ctype="audio/wav", length=len(data)))
        await writer.drain()

    return handler


async def test_a_trickling_recording_times_out_and_stays_resumable(
    hostile: HostileServer, tmp_path: Path
) -> None:
    hostile.route("r.wav", drip(reply("200 OK", b"", ctype="audio/wav", length=len(WAV)), WAV))
    async with short_client(hostile.url) as api:
        with bounded(ATTEMPTS_BOUND), pytest.raises(RequestTimeoutError) as excinfo:
            await api.download_recording("/recordings/r.wav", tmp_path / "r.wav")
    assert "B/s" in excinfo.value.detail
    assert hostile.hits["GET r.wav"] == FAST_RETRY.attempts
    assert (tmp_path / "r.wav.part").exists()  # what arrived is kept for the next try
    assert not (tmp_path / "r.wav").exists()


async def test_slow_headers_on_a_recording_time_out(hostile: HostileServer, tmp_path: Path) -> None:
    hostile.route("r.wav", slow_headers(reply("200 OK", WAV, ctype="audio/wav"), delay=30))
    async with short_client(hostile.url) as api:
        with bounded(ATTEMPTS_BOUND), pytest.raises(RequestTimeoutError):
            await api.download_recording("/recordings/r.wav", tmp_path / "r.wav")


async def test_a_fast_but_endless_recording_hits_the_absolute_cap(
    hostile: HostileServer, tmp_path: Path
) -> None:
    """Above the minimum rate forever: only the whole-download deadline ends it."""
    block = bytes(64 * 1024)

    async def endless(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(reply("200 OK", b"", ctype="audio/wav", length=1 << 29))
        while not writer.is_closing():
            writer.write(block)
            await writer.drain()
            await asyncio.sleep(0.05)  # ~1.3 MB/s, far above 16 kB/s

    hostile.route("r.wav", endless)
    limits = ClientLimits(download_deadline=1.5, download_rate_window=1.0)
    async with short_client(hostile.url, limits) as api:
        with bounded(1.5, memory=8 * MB), pytest.raises(RequestTimeoutError) as excinfo:
            await api.download_recording("/recordings/r.wav", tmp_path / "r.wav")
    assert "within 1.5s" in excinfo.value.detail
    assert (tmp_path / "r.wav.part").stat().st_size > 0  # resumable


async def test_compressed_recording_is_refused_and_not_inflated(
    hostile: HostileServer, tmp_path: Path
) -> None:
    bomb = gzip_bomb(100)
    headers = {"Content-Encoding": "gzip"}
    hostile.route("r.wav", canned(reply("200 OK", bomb, ctype="audio/wav", headers=headers)))
    async with short_client(hostile.url) as api:
        with bounded(SHORT.request_deadline, memory=8 * MB), pytest.raises(RecordingInvalidError):
            await api.download_recording("/recordings/r.wav", tmp_path / "r.wav")
    assert hostile.requests[-1].headers["accept-encoding"] == "identity"
    assert list(tmp_path.iterdir()) == []  # no .part left behind


async def test_a_recording_larger_than_any_call_is_refused(
    hostile: HostileServer, tmp_path: Path
) -> None:
    hostile.route("r.wav", wav_answer())
    limits = ClientLimits(max_recording_bytes=100_000)
    async with short_client(hostile.url, limits) as api:
        with pytest.raises(RecordingInvalidError, match="larger than"):
            await api.download_recording("/recordings/r.wav", tmp_path / "r.wav")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://recordings.example.invalid/recordings/crm_x.wav",
        "http://10.0.0.5/recordings/crm_x.wav",
        "http://127.0.0.1@example.invalid/recordings/crm_x.wav",  # userinfo, not the host
        "ftp://example.invalid/crm_x.wav",
        "http://[example.invalid/crm_x.wav",  # urljoin's ValueError
    ],
)
async def test_plain_http_off_this_machine_is_refused_before_connecting(
    hostile: HostileServer, sends: list[str], tmp_path: Path, url: str
) -> None:
    async with short_client(hostile.url) as api:
        with bounded(0.5), pytest.raises(InsecureUrlError, match=r"only over https|not a valid"):
            await api.download_recording(url, tmp_path / "r.wav")
    assert sends == []
    assert list(tmp_path.iterdir()) == []


async def test_redirect_to_plain_http_is_refused_before_following(
    hostile: HostileServer, sends: list[str], tmp_path: Path
) -> None:
    target = "http://example.invalid/recordings/crm_x.wav"
    hostile.route("r.wav", canned(reply("302 Found", b"", headers={"Location": target})))
    (tmp_path / "r.wav.part").write_bytes(WAV[:1000])  # an earlier, interrupted try
    async with short_client(hostile.url) as api:
        with bounded(0.5), pytest.raises(InsecureUrlError):
            await api.download_recording("/recordings/r.wav", tmp_path / "r.wav")
    assert sends == [f"{hostile.url}/recordings/r.wav"]  # never example.invalid
    assert list(tmp_path.iterdir()) == []  # a final refusal: the .part goes too


async def test_redirects_are_followed_by_hand_without_leaking_the_key(
    hostile: HostileServer, sends: list[str], tmp_path: Path
) -> None:
    """127.0.0.1 is the API's origin; localhost (same server) stands for another origin."""
    other = hostile.url.replace("127.0.0.1", "localhost")
    hostile.route("r.wav", canned(reply("302 Found", b"", headers={"Location": "/x/hop.wav"})))
    location = {"Location": f"{other}/recordings/real.wav"}
    hostile.route("hop.wav", canned(reply("307 Temporary Redirect", b"", headers=location)))
    hostile.route("real.wav", wav_answer())
    async with short_client(hostile.url) as api:
        info = await api.download_recording("/recordings/r.wav", tmp_path / "r.wav")
    assert info.container == "wav"
    assert (tmp_path / "r.wav").read_bytes() == WAV
    auth = [("authorization" in r.headers, r.path) for r in hostile.requests]
    assert auth == [
        (True, "/recordings/r.wav"),
        (True, "/x/hop.wav"),
        (False, "/recordings/real.wav"),
    ]


async def test_a_redirect_loop_ends(hostile: HostileServer, tmp_path: Path) -> None:
    hostile.route("r.wav", canned(reply("302 Found", b"", headers={"Location": "r.wav"})))
    async with short_client(hostile.url) as api:
        with pytest.raises(HttpStatusError) as excinfo:
            await api.download_recording("/recordings/r.wav", tmp_path / "r.wav")
    assert "redirects" in excinfo.value.detail
    assert hostile.hits["GET r.wav"] == SHORT.max_redirects + 1
    assert list(tmp_path.iterdir()) == []


async def test_404_after_an_interruption_removes_the_part_file(
    hostile: HostileServer, tmp_path: Path
) -> None:
    gone = canned(reply("404 Not Found", b'{"status": "error", "message": "Recording not found"}'))
    hostile.route("r.wav", cut_after(30_000, then=gone))
    async with short_client(hostile.url) as api:
        with bounded(SHORT.request_deadline), pytest.raises(NotFoundError):
            await api.download_recording("/recordings/r.wav", tmp_path / "r.wav")
    assert hostile.requests[-1].headers["range"] == "bytes=30000-"  # it did resume, then 404
    assert list(tmp_path.iterdir()) == []


async def test_writes_are_batched_and_no_received_byte_is_lost(
    hostile: HostileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3 MB through 64 kB reads: a handful of disk writes; a drop mid-batch resumes exactly."""
    data = synthesize_call(200, 8000, seed=2)  # 3.2 MB
    writes: list[int] = []  # bytes per system call (writev where there is one, else write)
    real_open = download_module.open_off_loop
    real_writev = getattr(os, "writev", None)

    def counting_writev(fd: int, buffers: list[memoryview]) -> int:
        assert real_writev is not None
        writes.append(real_writev(fd, buffers))
        return writes[-1]

    async def counting_open(path: Path, mode: str) -> IO[bytes]:
        fh = await real_open(path, mode)
        real_write = fh.write

        def write(chunk: Any) -> int:
            writes.append(len(chunk))
            return real_write(chunk)

        fh.write = write  # type: ignore[method-assign]
        return fh

    monkeypatch.setattr(download_module, "open_off_loop", counting_open)
    if real_writev is not None:
        monkeypatch.setattr(os, "writev", counting_writev)
    hostile.route("r.wav", cut_after(300_000, wav_answer(data), data))  # less than one batch
    async with short_client(hostile.url) as api:
        await api.download_recording("/recordings/r.wav", tmp_path / "r.wav")
    assert hostile.requests[-1].headers["range"] == "bytes=300000-"  # the buffer was flushed
    assert (tmp_path / "r.wav").read_bytes() == data
    assert sum(writes) == len(data), writes
    assert len(writes) <= len(data) // SHORT.write_batch_bytes + 3, writes  # not one per read


class SlowFile:
    """A .part stand-in whose writes take a while on the worker thread, recorded in order."""

    def __init__(self, fail_on: int | None = None) -> None:
        import threading

        self.written: list[bytes] = []
        self.busy = threading.Event()
        self.release = threading.Event()
        self.fail_on = fail_on
        self.closed = False

    def write(self, data: bytes) -> int:
        self.busy.set()
        self.release.wait(5)
        if self.fail_on is not None and len(self.written) == self.fail_on:
            raise OSError(28, "No space left on device")
        self.written.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def fileno(self) -> int:
        return os.open(os.devnull, os.O_WRONLY)

    def close(self) -> None:
        self.closed = True


async def test_receiving_goes_on_while_a_batch_is_written_and_order_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(part_file, "_start_writeback", lambda fd: part_file.os.close(fd))
    part = SlowFile()
    writer = part_file.PartWriter(part, batch=4)  # type: ignore[arg-type]
    await writer.write(b"aaaa")  # a full batch: handed to the worker, not waited for
    await asyncio.to_thread(part.busy.wait, 5)
    assert part.written == []  # the disk is still busy, the caller already got control back
    part.release.set()
    await writer.write(b"bbbb")  # waits for the first batch only, then hands this one over
    await writer.write(b"cc")
    await writer.close()
    assert part.written == [b"aaaa", b"bbbb", b"cc"] and part.closed


async def test_a_failed_batch_write_stops_every_later_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(part_file, "_start_writeback", lambda fd: part_file.os.close(fd))
    part = SlowFile(fail_on=1)
    part.release.set()
    writer = part_file.PartWriter(part, batch=4)  # type: ignore[arg-type]
    await writer.write(b"aaaa")
    await writer.write(b"bbbb")  # fails on the worker; reported at the next hand-over
    with pytest.raises(OSError, match="No space"):
        await writer.write(b"cccc")
    with pytest.raises(OSError, match="No space"):
        await writer.close()  # the buffered batch is not written after the gap either
    assert part.written == [b"aaaa"] and part.closed


def test_batches_are_written_whole_in_order_without_a_joined_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More chunks than one writev() takes, and a writev() that writes only part of what it is
    given (as a signal can make it): every byte lands once, in order."""
    chunks = [bytes([i % 251]) * (1 + i % 7) for i in range(3_000)]
    expected = b"".join(chunks)
    real_writev = getattr(os, "writev", None)
    if real_writev is None:
        pytest.skip("no writev on this OS: one joined write, covered by the download tests")
    calls: list[int] = []

    def short_writev(fd: int, buffers: list[memoryview]) -> int:
        calls.append(len(buffers))
        assert len(buffers) <= 1024
        return real_writev(fd, [bytes(b"".join(buffers)[:5_000])])  # part of it at most

    monkeypatch.setattr(os, "writev", short_writev)
    part = tmp_path / "r.wav.part"
    with part.open("wb") as fh:
        assert isinstance(fh, io.BufferedWriter)
        part_file._write_chunks(fh, chunks[:10])
        part_file._write_chunks(fh, chunks[10:])
    assert part.read_bytes() == expected
    assert len(calls) > 3 and max(calls) == 1024


def test_writeback_is_started_and_falls_back_to_a_sync_where_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each batch is sent on to the disk without waiting where the OS can (Linux); a file the
    OS cannot do that for (not a regular file) is synced the plain way instead."""
    synced: list[int] = []
    monkeypatch.setattr(part_file, "_sync_data", synced.append)
    start = part_file._writeback_starter()
    with (tmp_path / "r.wav.part").open("wb") as fh:
        fh.write(b"x" * 100_000)
        fh.flush()
        start(fh.fileno())
        if sys.platform.startswith("linux"):
            assert synced == []  # started, not waited for
            with open(os.devnull, "wb") as null:
                start(null.fileno())  # no writeback for a device: refused, so synced instead
                assert synced == [null.fileno()]
        else:
            assert synced == [fh.fileno()]
