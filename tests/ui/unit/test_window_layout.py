"""The window opens as the agent left it: size, splitters, columns; a bad file changes nothing."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QTableView, QWidget
from pytestqt.qtbot import QtBot

from dialdeck.ui.window_layout import WindowLayout


def build(qtbot: QtBot, columns: int = 3) -> tuple[QMainWindow, QSplitter, QTableView]:
    window = QMainWindow()
    qtbot.addWidget(window)
    splitter = QSplitter()
    splitter.setObjectName("mainSplitter")
    table = QTableView()
    table.setObjectName("someTable")
    table.setModel(QStandardItemModel(5, columns, table))
    splitter.addWidget(table)
    splitter.addWidget(QLabel("details"))
    window.setCentralWidget(splitter)
    window.resize(640, 480)
    return window, splitter, table


def test_size_splitter_and_columns_come_back(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "config" / "window.ini"  # its folder does not exist yet
    window, splitter, table = build(qtbot)
    memory = WindowLayout(path)
    memory.restore_window(window)
    memory.track(window)
    window.show()
    window.resize(700, 450)
    splitter.setSizes([450, 250])
    table.horizontalHeader().resizeSection(1, 222)
    sizes = splitter.sizes()
    memory.save(window)
    assert path.is_file()

    again, splitter2, table2 = build(qtbot)
    memory2 = WindowLayout(path)
    memory2.restore_window(again)
    memory2.track(again)
    again.show()
    assert (again.width(), again.height()) == (700, 450)
    assert splitter2.sizes() == sizes
    assert table2.horizontalHeader().sectionSize(1) == 222


def save_column_width(qtbot: QtBot, path: Path, width: int) -> None:
    """A session that set the table's second column to ``width``, then quit."""
    window, _splitter, table = build(qtbot)
    memory = WindowLayout(path)
    memory.track(window)
    table.horizontalHeader().resizeSection(1, width)
    memory.save(window)


def test_a_table_with_other_columns_starts_from_its_defaults(qtbot: QtBot, tmp_path: Path) -> None:
    """A release that adds a column must not apply the old widths to the wrong columns."""
    save_column_width(qtbot, tmp_path / "window.ini", 222)
    _again, _s, wider = build(qtbot, columns=4)
    default = wider.horizontalHeader().sectionSize(1)
    WindowLayout(tmp_path / "window.ini").track(_again)
    assert wider.horizontalHeader().sectionSize(1) == default != 222


def test_a_view_not_built_this_session_keeps_its_saved_layout(qtbot: QtBot, tmp_path: Path) -> None:
    save_column_width(qtbot, tmp_path / "window.ini", 222)
    bare = QMainWindow()  # the next session never opens that tab
    qtbot.addWidget(bare)
    WindowLayout(tmp_path / "window.ini").save(bare)
    _later, _s, table3 = build(qtbot)
    WindowLayout(tmp_path / "window.ini").track(_later)
    assert table3.horizontalHeader().sectionSize(1) == 222


@pytest.mark.parametrize(
    ("content", "set_aside"),
    [
        (b"\x00\xff garbage \xfe" * 50, True),  # not INI at all
        (b"[window]\ngeometry=@ByteArray(" + b"x" * 100_000 + b")\n", True),  # far too large
        # INI, but not what Qt wrote: read, its bad values ignored, the others dropped at save
        (b"[window]\ngeometry=not a blob\nevil=2\n[columns]\nsomeTable-3=42\n[evil]\nx=1\n", False),
    ],
)
def test_a_damaged_file_means_the_defaults(
    qtbot: QtBot,
    tmp_path: Path,
    content: bytes,
    set_aside: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "window.ini"
    path.write_bytes(content)
    window, _splitter, table = build(qtbot)
    default_column = table.horizontalHeader().sectionSize(1)
    with caplog.at_level(logging.INFO, logger="dialdeck"):
        memory = WindowLayout(path)
        memory.restore_window(window)
        memory.track(window)
    window.show()
    assert (window.width(), window.height()) == (640, 480)
    assert table.horizontalHeader().sectionSize(1) == default_column
    assert (tmp_path / "window.ini.damaged").exists() == set_aside
    with caplog.at_level(logging.WARNING, logger="dialdeck"):
        memory.save(window)  # and it is written afresh, with only what is ours
    assert "not saved" not in caplog.text
    text = path.read_text("latin-1")
    assert "evil" not in text and len(text) < 4096
    assert WindowLayout(path)._state("window/geometry") is not None
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600  # like settings.json


def test_a_layout_that_cannot_be_written_is_logged_not_raised(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "config"
    blocker.write_text("a file where the folder should be")
    window = QWidget()
    qtbot.addWidget(window)
    with caplog.at_level(logging.WARNING, logger="dialdeck"):
        WindowLayout(blocker / "window.ini").save(window)
    assert "window layout not saved" in caplog.text
