"""Recording download: Dialdeck's client (resumable .part, verify, fsync, atomic rename) against a
raw httpx stream of the same file from the same local sandbox, as a ratio."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

import httpx

from dialdeck.core.api import CallRequest, CloudDialerClient
from dialdeck.sandbox import DEMO_AGENT, DEMO_API_KEY, SandboxConfig, SandboxServer


async def recording_url(client: CloudDialerClient) -> str:
    call = await client.initiate_call(
        CallRequest("919800000000", "9876543210", str(uuid.uuid4()), crm_username=DEMO_AGENT)
    )
    while True:
        info = await client.get_call(call.call_id)
        if info.is_over and info.recording_url:
            return info.recording_url
        await asyncio.sleep(0.05)


async def measure(rounds: int) -> None:
    # One hour of 8 kHz audio (about 58 MB): long enough that overheads show.
    config = SandboxConfig()
    config = replace(config, speed=3600.0, timings=replace(config.timings, talk_time=3600.0))
    with SandboxServer(config) as server, tempfile.TemporaryDirectory() as tmp:
        async with CloudDialerClient(server.url, DEMO_API_KEY) as client:
            url = await recording_url(client)
            async with httpx.AsyncClient() as raw:
                await raw.get(url)  # warm the sandbox's cache of the synthesized file
                raw_times, ours = [], []
                for n in range(rounds):
                    started = time.perf_counter()
                    # The floor is the naive way on purpose: blocking writes on the loop.
                    with open(Path(tmp) / f"raw{n}.wav", "wb") as fh:  # noqa: ASYNC230
                        async with raw.stream("GET", url) as response:
                            async for chunk in response.aiter_bytes():
                                fh.write(chunk)
                    raw_times.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    info = await client.download_recording(url, Path(tmp) / f"ours{n}.wav")
                    ours.append(time.perf_counter() - started)
            size = (Path(tmp) / "ours0.wav").stat().st_size
    floor, mine = statistics.median(raw_times), statistics.median(ours)
    print(
        f"download of a {info.duration / 60:.0f}-minute recording ({size / 1e6:.0f} MB), median of {rounds}"
    )
    print(f"  raw httpx stream to a file   {floor * 1000:7.0f} ms   1.00x (floor)")
    print(f"  Dialdeck download_recording  {mine * 1000:7.0f} ms   {mine / floor:.2f}x")
    print("    (adds: writes off the event loop, audio verification, fsync, atomic rename)")


def main(rounds: int = 3) -> None:
    asyncio.run(measure(rounds))


if __name__ == "__main__":
    main()
