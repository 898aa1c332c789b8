"""Where Dialdeck keeps things: the platform's config, data and log directories (platformdirs).

One switch redirects all of them: ``--home DIR`` or ``DIALDECK_HOME`` (portable use, tests).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_DIR_NAME = "Dialdeck"
HOME_ENV = "DIALDECK_HOME"


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    log_dir: Path

    @classmethod
    def resolve(cls, home: Path | str | None = None) -> AppPaths:
        home = home or os.environ.get(HOME_ENV) or None
        if home:
            root = Path(home).expanduser().resolve()
            return cls(root / "config", root / "data", root / "logs")
        return cls(
            Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False)),
            Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False)),
            Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False)),
        )

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def window_layout_file(self) -> Path:
        """The window's size and place, splitters and columns (Qt's INI: ``ui/window_layout``)."""
        return self.config_dir / "window.ini"

    @property
    def history_db(self) -> Path:
        return self.data_dir / "history.sqlite3"

    @property
    def recordings_dir(self) -> Path:
        return self.data_dir / "recordings"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "dialdeck.log"

    def ensure(self) -> list[str]:
        """Create the folders; return, for the agent, each one that cannot be written and why.

        Never raises: a read-only or full disk must not stop Dialdeck from starting.
        """
        problems: list[str] = []
        for directory in (self.config_dir, self.data_dir, self.log_dir, self.recordings_dir):
            try:
                directory.mkdir(parents=True, exist_ok=True)
                probe = directory / f".dialdeck-write-test-{os.getpid()}"
                probe.write_bytes(b"")
                probe.unlink()
            except OSError as exc:
                problems.append(f"{directory}: {exc.strerror or exc}")
        return problems
