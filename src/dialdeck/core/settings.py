"""User settings (everything except the API key, which lives only in the keyring)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from dialdeck.core.dispositions import DEFAULT_DISPOSITIONS

log = logging.getLogger("dialdeck.settings")

DEFAULT_BASE_URL = "https://api.clouddialer.in"
MAX_RECENT = 20
MAX_DISPOSITIONS = 30


def parse_dispositions(text: str) -> list[str]:
    """ "Sale, Call back,, sale" -> ["Sale", "Call back"]: trimmed, no blanks, no repeats."""
    seen: dict[str, str] = {}
    for part in text.split(","):
        label = " ".join(part.split())[:60]
        if label and label.casefold() not in seen:
            seen[label.casefold()] = label
    return list(seen.values())[:MAX_DISPOSITIONS]


class PollSpeed(StrEnum):
    FAST = "fast"
    NORMAL = "normal"
    RELAXED = "relaxed"

    @property
    def factor(self) -> float:
        return {"fast": 0.5, "normal": 1.0, "relaxed": 2.0}[self.value]


@dataclass
class AccountSettings:
    """A real CloudDialer account. The key is looked up in the keyring under ``base_url``."""

    base_url: str = DEFAULT_BASE_URL
    caller_ids: list[str] = field(default_factory=list)
    crm_username: str = ""
    agent_number: str = ""

    @property
    def agent_label(self) -> str:
        return self.crm_username or self.agent_number


@dataclass
class Settings:
    account: AccountSettings | None = None  # None: sandbox mode
    recording: bool = True
    max_ring_time: int = 30
    poll_speed: PollSpeed = PollSpeed.NORMAL
    caller_id: str = ""  # last one used
    retention_days: int | None = None  # None: keep recordings forever
    retention_gb: float | None = None  # None: no size cap
    close_to_tray: bool = True  # closing the window keeps Dialdeck in the tray (where one exists)
    start_minimized: bool = False  # when started at login
    start_at_login: bool = False
    dial_links_at_once: bool = False  # tel: links dial without a confirming Enter
    notifications: bool = True
    recent_numbers: list[str] = field(default_factory=list)  # national digits, newest first
    global_hotkey: str = "Ctrl+Alt+D"  # the selected number, from any application ("" = none)
    dispositions: list[str] = field(default_factory=lambda: list(DEFAULT_DISPOSITIONS))

    def remember_number(self, national: str) -> None:
        self.recent_numbers = [national, *(n for n in self.recent_numbers if n != national)][
            :MAX_RECENT
        ]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["poll_speed"] = self.poll_speed.value
        return data

    @classmethod
    def from_json(cls, data: Any) -> Settings:
        """Tolerant: a damaged or older file gives defaults for what it lacks, never a crash."""
        if not isinstance(data, dict):
            return cls()
        settings = cls()
        account = data.get("account")
        if isinstance(account, dict):
            known = {f.name for f in fields(AccountSettings)}
            with contextlib.suppress(TypeError):
                settings.account = AccountSettings(
                    **{k: v for k, v in account.items() if k in known}
                )
        if isinstance(data.get("recording"), bool):
            settings.recording = data["recording"]
        ring = data.get("max_ring_time")
        if isinstance(ring, int) and 5 <= ring <= 120:
            settings.max_ring_time = ring
        with contextlib.suppress(ValueError):
            settings.poll_speed = PollSpeed(data.get("poll_speed", "normal"))
        for flag in (
            "close_to_tray",
            "start_minimized",
            "start_at_login",
            "dial_links_at_once",
            "notifications",
        ):
            if isinstance(data.get(flag), bool):
                setattr(settings, flag, data[flag])
        days, gb = data.get("retention_days"), data.get("retention_gb")
        if isinstance(days, int) and not isinstance(days, bool) and days > 0:
            settings.retention_days = days
        if isinstance(gb, int | float) and not isinstance(gb, bool) and gb > 0:
            settings.retention_gb = float(gb)
        if isinstance(data.get("caller_id"), str):
            settings.caller_id = data["caller_id"]
        if isinstance(data.get("global_hotkey"), str):
            settings.global_hotkey = data["global_hotkey"][:40]
        dispositions = data.get("dispositions")
        if isinstance(dispositions, list):
            labels = [d for d in dispositions if isinstance(d, str)]
            settings.dispositions = parse_dispositions(",".join(labels)) or settings.dispositions
        recent = data.get("recent_numbers")
        if isinstance(recent, list):
            settings.recent_numbers = [n for n in recent if isinstance(n, str)][:MAX_RECENT]
        return settings


@dataclass(frozen=True)
class SettingsRead:
    settings: Settings
    problem: str = ""  # for the agent: what was wrong with the file and where the copy is
    damaged_copy: Path | None = None


def _account_damaged(data: dict[str, Any]) -> bool:
    account = data.get("account")
    if account is None:
        return False
    if not isinstance(account, dict):
        return True
    known = {f.name for f in fields(AccountSettings)}
    try:
        AccountSettings(**{k: v for k, v in account.items() if k in known})
    except TypeError:
        return True
    return not isinstance(account.get("base_url", ""), str)


def read_settings(path: Path) -> SettingsRead:
    """Load settings; a damaged file is moved aside (never overwritten) and the agent told."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return SettingsRead(Settings())
    except OSError as exc:
        log.warning("settings file unreadable (%s); using defaults", exc)
        return SettingsRead(
            Settings(),
            f"Your settings could not be read ({exc.strerror or exc}); defaults are used for now.",
        )
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or _account_damaged(data):
            raise ValueError("not a settings object")
    except (ValueError, RecursionError) as exc:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        copy = path.with_name(f"{path.name}.damaged-{stamp}")
        try:
            os.replace(path, copy)
        except OSError as move_error:
            log.warning("damaged settings could not be moved aside: %s", move_error)
            copy = path
        log.warning("settings file damaged (%s); kept as %s", exc, copy.name)
        return SettingsRead(
            Settings(),
            f"Your settings file was damaged, so Dialdeck started with defaults. "
            f"The damaged file is kept as {copy}.",
            copy,
        )
    return SettingsRead(Settings.from_json(data))


def load_settings(path: Path) -> Settings:
    return read_settings(path).settings


def save_settings(path: Path, settings: Settings) -> None:
    """Atomic: write a temporary file, fsync, rename over the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(settings.to_json(), fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
