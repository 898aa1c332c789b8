"""``dialdeck-sandbox``: the simulator as a standalone server for integrators.

Only light modules are imported here: the web stack loads inside :func:`main`, after the Ctrl+C
handler is installed.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from dialdeck.sandbox.config import DEMO_AGENT, DEMO_API_KEY, SandboxConfig, parse_talk_times

BANNER_END = "Ready. Press Ctrl+C to stop."


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="dialdeck-sandbox",
        description="A local CloudDialer simulator: the real API surface, scripted outcomes, "
        "real WAV recordings, result pushes, fault injection.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=8765, help="port (0 picks a free one; default: %(default)s)"
    )
    parser.add_argument("--api-key", help=f"API key for the demo account (default: {DEMO_API_KEY})")
    parser.add_argument("--speed", type=float, help="time scale: 10 makes a 30 s ring last 3 s")
    parser.add_argument("--config", type=Path, help="TOML file with accounts, agents and timings")
    parser.add_argument("--callback-url", help="where to POST each call's result when it ends")
    parser.add_argument(
        "--talk-time",
        type=float,
        help="seconds each answered customer or participant talks before hanging up",
    )
    parser.add_argument(
        "--talk-time-for",
        action="append",
        default=[],
        metavar="ENDING=SECONDS",
        help="talk time for numbers ending in ENDING (or an agent id); repeatable, "
        "like [talk_times] in the config file",
    )
    args = parser.parse_args(argv)
    if args.speed is not None and args.speed <= 0:
        parser.error("--speed must be positive")
    table: dict[str, object] = {}
    for item in args.talk_time_for:
        key, sep, seconds = item.rpartition("=")
        try:
            table[key] = float(seconds)
        except ValueError:
            sep = ""
        if not sep:
            parser.error(f"--talk-time-for wants ENDING=SECONDS, not {item!r}")
    try:
        args.talk_time_table = parse_talk_times(table)
    except ValueError as exc:
        parser.error(f"--talk-time-for: {exc}")
    return args


def build_config(args: argparse.Namespace) -> SandboxConfig:
    config = SandboxConfig.from_toml(args.config) if args.config else SandboxConfig()
    if args.api_key:
        config = config.with_key(args.api_key)
    if args.speed is not None:
        config = replace(config, speed=args.speed)
    if args.callback_url:
        config = replace(config, callback_url=args.callback_url)
    if args.talk_time is not None:
        config = replace(config, timings=replace(config.timings, talk_time=args.talk_time))
    if args.talk_time_table:
        config = config.with_talk_times(args.talk_time_table)
    return config


class _StopSignals:
    """SIGINT/SIGTERM only set a flag: from the first line of :func:`main`, so a Ctrl+C that
    arrives while the server is still starting is a clean exit (128 + signal), never a traceback
    or a death by signal; once serving, it is the normal way to stop (exit 0)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._previous[sig] = signal.signal(sig, self._handle)

    def _handle(self, signum: int, frame: object) -> None:
        if self.signum is None:
            self.signum = signum
        self.event.set()

    def interrupted(self) -> int | None:
        """The exit status if a signal came in, announced on stderr."""
        if self.signum is None:
            return None
        name = signal.Signals(self.signum).name
        print(f"dialdeck-sandbox: stopped by {name} before it was serving", file=sys.stderr)
        return 128 + self.signum

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    signals = _StopSignals()
    try:
        return _serve(argv, signals)
    finally:
        signals.restore()


def _serve(argv: list[str] | None, signals: _StopSignals) -> int:
    args = parse_args(argv)
    try:
        config = build_config(args)
    except (OSError, ValueError) as exc:
        print(f"dialdeck-sandbox: {exc}", file=sys.stderr)
        return 2
    from dialdeck.sandbox.server import SandboxServer  # the web stack: after the handler is in

    if (status := signals.interrupted()) is not None:
        return status
    server = SandboxServer(config, host=args.host, port=args.port, log_level="info")
    try:
        url = server.start()
    except OSError as exc:
        print(
            f"dialdeck-sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    try:
        if (status := signals.interrupted()) is not None:
            return status
        _banner(config, url)
        signals.event.wait()
    finally:
        server.stop()
    print("sandbox stopped", flush=True)
    return 0


def _banner(config: SandboxConfig, url: str) -> None:
    demo = config.accounts[0]
    print(f"Dialdeck sandbox listening on {url}  (speed x{config.speed:g})")
    print(
        f"  API key:    {demo.api_key}" + ("  (demo key)" if demo.api_key == DEMO_API_KEY else "")
    )
    print(f"  caller IDs: {', '.join(demo.caller_ids)}   agent: {DEMO_AGENT}")
    print(f"  OpenAPI:    {url}/openapi.json    controls: {url}/_sandbox/")
    print("  Last four digits script the outcome: 0000 no answer, 1111 busy, 2222 failure,")
    print("  3333 agent no answer, 4444 agent cancels, 5555 platform refuses (502).")
    scripted = ", ".join(f"{key}={seconds:g}" for key, seconds in config.talk_times)
    print(
        f"  Everyone answered talks {config.timings.talk_time:g} s, then hangs up"
        + (f" (scripted: {scripted})." if scripted else ".")
    )
    print(BANNER_END, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
