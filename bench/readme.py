"""The README's performance table, regenerated from ``bench-results.json``
(``python -m bench --readme``): everything between the bench markers is replaced."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.common import RESULTS, ROOT

START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def number(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    shown = f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return f"{shown} {unit}"


def table(results: dict[str, Any]) -> str:
    machine = results.get("machine", {})
    lines = [
        f"`./run bench{' --quick' if results.get('quick') else ''}` on {machine.get('cores')} "
        f"cores ({machine.get('cpu', '?')}), Python {machine.get('python', '?')}, "
        f"{results.get('date', '')}; medians of interleaved pairs.",
        "",
        "| Figure | Floor (same run) | Floor | Dialdeck | Ratio | Target | Met |",
        "|---|---|---|---|---|---|---|",
    ]
    for figure in results["figures"].values():
        ratio = figure.get("ratio")
        note = f" ({figure['note']})" if figure.get("note") else ""
        lines.append(
            f"| {figure['label']}{note} | {figure['floor_label']} "
            f"| {number(figure['floor'], figure['unit'])} | {number(figure['value'], figure['unit'])} "
            f"| {'–' if ratio is None else f'{ratio:.2f}×'} | {figure['target_text']} "
            f"| {'yes' if figure['met'] else '**no**'} |"
        )
    return "\n".join(lines)


def update(readme: Path = ROOT / "README.md", results: Path = RESULTS) -> None:
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{readme} has no {START} … {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    body = table(json.loads(results.read_text(encoding="utf-8")))
    readme.write_text(f"{head}{START}\n{body}\n{END}{tail}", encoding="utf-8")
    print(f"updated the performance table in {readme}")
