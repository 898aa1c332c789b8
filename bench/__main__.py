"""``./run bench [--quick] [--only NAME …]`` measures every figure of the performance table,
prints min/median of interleaved pairs, and writes ``bench-results.json``;
``./run bench --readme`` regenerates the README's table from that file. Not pass/fail."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from bench import download, library, live, readme, startup
from bench.common import RESULTS, Figure, machine

SUITES: dict[str, Callable[..., list[Figure]]] = {
    "startup": startup.main,
    "library": library.main,
    "download": download.main,
    "live": live.main,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="./run bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds: under 3 minutes")
    parser.add_argument("--only", nargs="+", choices=list(SUITES), help="run only these suites")
    parser.add_argument("--readme", action="store_true", help="only regenerate the README table")
    args = parser.parse_args()
    if args.readme:
        readme.update()
        return
    started = time.monotonic()
    about = machine()
    figures: list[Figure] = []
    for name, suite in SUITES.items():
        if not args.only or name in args.only:
            print(f"== {name}", flush=True)
            figures += suite(quick=args.quick)
    results = {
        "figures": {f.name: f.as_json() for f in figures},
        "machine": about,
        "quick": args.quick,
        "date": time.strftime("%Y-%m-%d"),
        "seconds": round(time.monotonic() - started),
    }
    if args.only and RESULTS.exists():  # keep the other suites' last figures
        previous = json.loads(RESULTS.read_text())
        results["figures"] = {**previous.get("figures", {}), **results["figures"]}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    met = sum(f.met for f in figures)
    print(f"\n{met} of {len(figures)} figures at target; wrote {RESULTS.name} "
          f"in {results['seconds']} s")  # fmt: skip


if __name__ == "__main__":
    main()
