"""Player controls: play/pause, seek bar, skips, speed, volume, waveform, bookmarks.

Keyboard (while the Recordings tab has focus): Space play/pause, ←/→ 5 s, Shift+←/→ 10 s,
[ and ] slower/faster, Ctrl+B a note at this moment (type it, Enter saves), F2 edits a note.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dialdeck.core.library import Bookmark
from dialdeck.ui.bookmark_list import BookmarkList
from dialdeck.ui.describe import clock
from dialdeck.ui.player import SPEEDS, Player
from dialdeck.ui.waveform_widget import WaveformWidget


class PlayerWidget(QWidget):
    bookmark_requested = Signal(int, str)  # position ms, text
    bookmark_delete_requested = Signal(int)  # bookmark id
    bookmark_edit_requested = Signal(int, str)  # bookmark id, new text

    def __init__(self, player: Player, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("playerWidget")
        self.player = player
        self._seeking = False

        self.title = QLabel(self.tr("Choose a recording to play it"))
        self.title.setObjectName("playerTitle")
        self.message = QLabel()
        self.message.setObjectName("playerMessage")
        self.message.setProperty("state", "error")
        self.message.setWordWrap(True)
        self.message.hide()

        self.play_button = QPushButton(self.tr("Play"))
        self.play_button.setObjectName("playButton")
        self.play_button.setAccessibleName(self.tr("Play or pause"))
        self.play_button.setToolTip(self.tr("Play / pause (Space)"))
        self.play_button.clicked.connect(player.toggle)
        self.skip_buttons: dict[int, QToolButton] = {}
        for seconds in (-10, -5, 5, 10):
            button = QToolButton()
            button.setText(f"{seconds:+d} s")
            button.setObjectName(f"skip{'Back' if seconds < 0 else 'Forward'}{abs(seconds)}")
            button.setAccessibleName(self.tr("Skip {n} seconds").format(n=seconds))
            button.clicked.connect(lambda _=False, s=seconds: player.skip(s))
            self.skip_buttons[seconds] = button
        self.seek_slider = QSlider(Qt.Orientation.Horizontal)
        self.seek_slider.setObjectName("seekSlider")
        self.seek_slider.setAccessibleName(self.tr("Position"))
        self.seek_slider.sliderPressed.connect(self._seek_start)
        self.seek_slider.sliderReleased.connect(self._seek_end)
        self.time_label = QLabel("0:00 / 0:00")
        self.time_label.setObjectName("timeLabel")
        self.speed_combo = QComboBox()
        self.speed_combo.setObjectName("speedCombo")
        self.speed_combo.setAccessibleName(self.tr("Playback speed"))
        for speed in SPEEDS:
            self.speed_combo.addItem(f"{speed:g}×", speed)
        self.speed_combo.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_combo.currentIndexChanged.connect(lambda i: player.set_speed(SPEEDS[i]))
        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setObjectName("volumeSlider")
        self.volume_slider.setAccessibleName(self.tr("Volume"))
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setValue(80)
        self.volume_slider.setMaximumWidth(110)
        self.volume_slider.valueChanged.connect(lambda v: player.set_volume(v / 100))
        player.set_volume(0.8)

        self.waveform = WaveformWidget()
        self.waveform.seek_requested.connect(player.seek)

        self.bookmark_edit = QLineEdit()
        self.bookmark_edit.setObjectName("bookmarkEdit")
        self.bookmark_edit.setPlaceholderText(self.tr("Note at this moment (Ctrl+B)"))
        self.bookmark_edit.setAccessibleName(self.tr("Bookmark note"))
        self.bookmark_edit.returnPressed.connect(self.add_bookmark)
        self.bookmark_button = QPushButton(self.tr("Add bookmark"))
        self.bookmark_button.setObjectName("addBookmarkButton")
        self.bookmark_button.clicked.connect(self.add_bookmark)
        self._mark_at: int | None = None  # where Ctrl+B was pressed: the note belongs there
        self.bookmarks = BookmarkList()
        self.bookmarks.note_delegate.edited.connect(self.bookmark_edit_requested)
        self.bookmarks.setObjectName("bookmarksList")
        self.bookmarks.setAccessibleName(self.tr("Bookmarks"))
        self.bookmarks.setMaximumHeight(110)
        self.bookmarks.itemActivated.connect(self._jump)
        self.bookmarks.itemClicked.connect(self._jump)
        self.bookmarks.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.delete_bookmark_action = QAction(self.tr("Delete bookmark"), self.bookmarks)
        self.delete_bookmark_action.setObjectName("deleteBookmarkAction")
        self.delete_bookmark_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.delete_bookmark_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_bookmark_action.triggered.connect(self._delete_current_bookmark)
        self.bookmarks.addAction(self.delete_bookmark_action)

        controls = QHBoxLayout()
        controls.addWidget(self.skip_buttons[-10])
        controls.addWidget(self.skip_buttons[-5])
        controls.addWidget(self.play_button)
        controls.addWidget(self.skip_buttons[5])
        controls.addWidget(self.skip_buttons[10])
        controls.addWidget(self.seek_slider, 1)
        controls.addWidget(self.time_label)
        sound = QHBoxLayout()  # its own row: the controls fit a narrow window
        sound.addWidget(QLabel(self.tr("Speed")))
        sound.addWidget(self.speed_combo)
        sound.addWidget(QLabel(self.tr("Volume")))
        sound.addWidget(self.volume_slider)
        sound.addStretch(1)
        bookmark_row = QHBoxLayout()
        bookmark_row.addWidget(self.bookmark_edit, 1)
        bookmark_row.addWidget(self.bookmark_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(self.waveform)
        layout.addLayout(controls)
        layout.addLayout(sound)
        layout.addLayout(bookmark_row)
        layout.addWidget(self.bookmarks)

        player.position_changed.connect(self._on_position)
        player.duration_changed.connect(self._on_duration)
        player.playing_changed.connect(
            lambda playing: self.play_button.setText(
                self.tr("Pause") if playing else self.tr("Play")
            )
        )
        player.failed.connect(self.show_message)
        player.notice.connect(self._show_notice)
        self.set_enabled(False)
        self._playback_checked = False  # QtMultimedia (~7 MB) is imported when first needed

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._playback_checked:
            self._playback_checked = True
            if not self.player.available:
                self.show_message(self.player.unavailable_reason)

    def install_shortcuts(self, scope: QWidget) -> None:
        """Shortcuts live on the tab that holds the player, so Space never fires elsewhere."""
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        bindings = [
            ("Space", self.player.toggle),
            ("Left", lambda: self.player.skip(-5)),
            ("Right", lambda: self.player.skip(5)),
            ("Shift+Left", lambda: self.player.skip(-10)),
            ("Shift+Right", lambda: self.player.skip(10)),
            ("[", lambda: self.step_speed(-1)),
            ("]", lambda: self.step_speed(1)),
            ("Ctrl+B", self.start_bookmark),
        ]
        self._shortcuts = []
        for keys, action in bindings:
            shortcut = QShortcut(QKeySequence(keys), scope, action, context=context)
            self._shortcuts.append(shortcut)
        # On a button Space is the button's own (Import, Export, Delete…: it played instead).
        # A bound method of this widget: Qt drops the connection when the widget is deleted.
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._on_focus_changed)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self._shortcuts and shiboken6.isValid(self._shortcuts[0]):
            self._shortcuts[0].setEnabled(not isinstance(new, QAbstractButton))

    def step_speed(self, direction: int) -> None:
        index = min(len(SPEEDS) - 1, max(0, self.speed_combo.currentIndex() + direction))
        self.speed_combo.setCurrentIndex(index)

    def set_enabled(self, enabled: bool) -> None:
        for widget in (self.play_button, self.seek_slider, self.bookmark_button, self.bookmark_edit,
                       *self.skip_buttons.values()):  # fmt: skip
            widget.setEnabled(enabled and self.player.available)

    def show_recording(self, title: str) -> None:
        self.title.setText(title)
        self._show_notice(self.player.device_notice)
        self.set_enabled(True)

    def clear(self, text: str = "") -> None:
        self.title.setText(text or self.tr("Choose a recording to play it"))
        self.set_enabled(False)
        self.waveform.set_peaks([])
        self.waveform.set_duration(0)
        self.bookmarks.clear()
        self.time_label.setText("0:00 / 0:00")

    def show_message(self, text: str) -> None:
        """An error about this recording (red)."""
        self._set_message(text, "error")

    def _show_notice(self, text: str) -> None:
        """Information that does not stop playback, e.g. no sound device."""
        self._set_message(text, "info")

    def _set_message(self, text: str, state: str) -> None:
        self.message.setProperty("state", state)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def set_bookmarks(self, bookmarks: list[Bookmark]) -> None:
        self.bookmarks.clear()
        self.bookmarks.set_bookmarks(bookmarks)
        self.waveform.set_marks([b.position_ms for b in bookmarks])

    def start_bookmark(self) -> None:
        """Ctrl+B: the moment is kept and the cursor goes to the note (typing goes there, not
        to the list's type-ahead); Enter saves. Ctrl+B in the note field saves at once."""
        if not self.bookmark_button.isEnabled():
            return
        if self.bookmark_edit.hasFocus():
            self.add_bookmark()
            return
        self._mark_at = self.player.position
        self.bookmark_edit.setFocus()

    def add_bookmark(self) -> None:
        if not self.bookmark_button.isEnabled():
            return
        text = self.bookmark_edit.text().strip() or self.tr("Bookmark")
        at, self._mark_at = self._mark_at, None
        self.bookmark_requested.emit(self.player.position if at is None else at, text)
        self.bookmark_edit.clear()

    def _delete_current_bookmark(self) -> None:
        item = self.bookmarks.currentItem()
        if item is not None:
            self.bookmark_delete_requested.emit(int(item.data(Qt.ItemDataRole.UserRole + 1)))

    def _jump(self, item: QListWidgetItem) -> None:
        self.player.seek(int(item.data(Qt.ItemDataRole.UserRole)))

    def _seek_start(self) -> None:
        self._seeking = True

    def _seek_end(self) -> None:
        self._seeking = False
        self.player.seek(self.seek_slider.value())

    def _on_position(self, ms: int) -> None:
        if not self._seeking:
            self.seek_slider.setValue(ms)
        self.waveform.set_position(ms)
        self.time_label.setText(f"{clock(ms / 1000)} / {clock(self.player.duration / 1000)}")

    def _on_duration(self, ms: int) -> None:
        self.seek_slider.setRange(0, ms)
        self.waveform.set_duration(ms)
        self._on_position(self.player.position)
