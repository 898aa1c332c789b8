"""Recording download: Dialdeck's ``CloudDialerClient.download_recording`` (``.part``, writes off
the event loop, audio check, fsync, rename) against a raw httpx stream to a file, from the same
server in another process, for a 10 MB and a 60 MB WAV. Each download runs in a fresh child
process that reports its time and how far its peak memory rose (``ru_maxrss``) during it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import Figure, child_env, interleaved, median, show
from dialdeck.sandbox.wav import synthesize_call

SIZES = {"10mb": 625, "60mb": 3750}  # seconds of 8 kHz 16-bit audio: 10 MB and 60 MB


@contextmanager
def server(directory: Path) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.wavserver", str(directory)],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert process.stdout is not None
        yield f"http://127.0.0.1:{process.stdout.readline().strip()}"
    finally:
        process.terminate()
        process.wait(10)


def status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field}")


def reset_peak() -> float:
    """Reset the kernel's resident high-water mark (VmHWM) to now; return resident memory now."""
    Path("/proc/self/clear_refs").write_text("5")
    return status_mb("VmRSS")


async def child(kind: str, base: str, name: str, dest: Path) -> tuple[float, float]:
    import httpx

    from dialdeck.core.api import CloudDialerClient

    async with CloudDialerClient(base, "bench-key") as client, httpx.AsyncClient() as raw:
        await raw.get(f"{base}/warm.wav")  # connections, code paths and caches warm for both
        await client.download_recording(f"{base}/warm.wav", dest.with_name("warm.wav"))
        before = reset_peak()
        started = time.perf_counter()
        if kind == "raw":
            # The floor is the naive way on purpose: blocking writes on the loop.
            with open(dest, "wb") as fh:  # noqa: ASYNC230
                async with raw.stream("GET", f"{base}/{name}") as response:
                    async for chunk in response.aiter_bytes():
                        fh.write(chunk)
        else:
            await client.download_recording(f"{base}/{name}", dest)
        return time.perf_counter() - started, status_mb("VmHWM") - before


def run(kind: str, base: str, name: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [sys.executable, "-m", "bench.download", kind, base, name, str(Path(tmp) / name)],
            capture_output=True,
            text=True,
            env=child_env(),
            timeout=120,
            check=True,
        )
    seconds, grown = done.stdout.split()
    return float(seconds) * 1000, float(grown)


def main(*, quick: bool) -> list[Figure]:
    pairs = 3 if quick else 7
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "warm.wav").write_bytes(synthesize_call(2, 8000))
        for name, seconds in SIZES.items():
            (folder / f"{name}.wav").write_bytes(synthesize_call(seconds, 8000))
        with server(folder) as base:
            print(f"downloads from a server process, {pairs} interleaved pairs of fresh processes")
            grown: dict[str, list[float]] = {}
            for name in SIZES:
                size_mb = (folder / f"{name}.wav").stat().st_size / 1e6
                memory: dict[str, list[float]] = {"raw": [], "app": []}

                def sample(kind: str, name: str = name, memory: dict[str, list[float]] = memory) -> float:  # fmt: skip
                    took, rose = run(kind, base, f"{name}.wav")
                    memory[kind].append(rose)
                    return took

                floors, values = interleaved(pairs, lambda: sample("raw"), lambda: sample("app"))
                grown[name] = memory["app"]
                figures.append(
                    Figure(
                        f"download_{name}", f"Recording download, {size_mb:.0f} MB WAV",
                        "raw httpx stream to a file, same server", "ms",
                        median(floors), median(values), 0.8, "speed",
                        floor_samples=floors, samples=values,
                        note=f"peak memory rose {median(memory['app']):.1f} MB "
                        f"(raw: {median(memory['raw']):.1f} MB)",
                    )
                )  # fmt: skip
                show(figures[-1])
    small, big = median(grown["10mb"]), median(grown["60mb"])
    figures.append(
        Figure(
            "download_memory", "Download peak memory growth, 60 MB WAV",
            "the same download of 10 MB", "MB", small, big, 5.0, "flat",
            floor_samples=grown["10mb"], samples=grown["60mb"],
            note="flat: the file streams to disk, it is never held in memory",
        )
    )  # fmt: skip
    show(figures[-1])
    return figures


if __name__ == "__main__":
    took, rose = asyncio.run(child(sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])))
    print(f"{took:.6f} {rose:.3f}")
