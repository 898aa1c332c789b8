"""Help → About Dialdeck: version, the Qt and Python underneath, and the bundled licences."""

from __future__ import annotations

import platform
import sys
from html import escape

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from dialdeck import APP_NAME, __version__

# What the frozen builds bundle (requirements/package.txt, runtime part), with each licence.
# tests/packaging/test_about.py fails when the lock gains a package this list does not name.
BUNDLED_LICENCES: tuple[tuple[str, str], ...] = (
    ("Python", "PSF-2.0"),
    ("Qt 6 (libraries and plugins, with its FFmpeg build)", "LGPL-3.0-only"),
    ("PySide6-Essentials, PySide6-Addons, shiboken6", "LGPL-3.0-only"),
    ("qasync", "BSD-2-Clause"),
    ("httpx, httpcore, idna, starlette, uvicorn, click", "BSD-3-Clause"),
    ("h11, anyio, sniffio, keyring, jaraco.classes, jaraco.context, jaraco.functools", "MIT"),
    ("more-itertools, platformdirs, jeepney", "MIT"),
    ("certifi", "MPL-2.0"),
    ("phonenumbers (Google's libphonenumber data)", "Apache-2.0"),
    ("SecretStorage, pycparser", "BSD-3-Clause"),
    ("cryptography", "Apache-2.0 OR BSD-3-Clause"),
    ("cffi", "MIT-0"),
    ("typing-extensions", "PSF-2.0"),
    ("pywin32-ctypes (Windows)", "BSD-3-Clause"),
    ("importlib-metadata, lazy-importer (Python 3.11 builds)", "Apache-2.0"),
    ("zipp, backports.tarfile (Python 3.11 builds)", "MIT"),
)

QT_NOTE = """Dialdeck uses Qt through PySide6 under the GNU Lesser General Public License v3
(https://www.gnu.org/licenses/lgpl-3.0.html). Qt's libraries are separate, unmodified shared
libraries in Dialdeck's installation folder, and you may replace them with your own build of the
same Qt version: on Windows the Qt6*.dll files in <i>_internal\\PySide6</i>; on Linux the
libQt6*.so.6 files in <i>_internal/PySide6/Qt/lib</i>; on macOS the Qt*.framework folders in
<i>Dialdeck.app/Contents/Frameworks/PySide6/Qt/lib</i> (then sign the app again). The source of Qt
is at https://download.qt.io/ and that of PySide6 at https://code.qt.io/cgit/pyside/pyside-setup.git."""


def about_html() -> str:
    frozen = "installed build" if getattr(sys, "frozen", False) else "running from source"
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>&nbsp;{escape(licence)}</td></tr>"
        for name, licence in BUNDLED_LICENCES
    )
    return (
        f"<h2>{APP_NAME} {escape(__version__)}</h2>"
        "<p>Click-to-call for CloudDialer agents.</p>"
        f"<p>Qt {escape(qVersion())} · PySide6 {escape(pyside_version)} · "
        f"Python {escape(platform.python_version())} · {frozen}</p>"
        f"<h3>Licences of the bundled software</h3><table>{rows}</table>"
        f"<h3>Replacing Qt</h3><p>{' '.join(QT_NOTE.split())}</p>"
    )


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About {name}").format(name=APP_NAME))
        self.text = QTextBrowser()
        self.text.setObjectName("aboutText")
        self.text.setOpenExternalLinks(True)
        self.text.setHtml(about_html())
        self.text.setAccessibleName(self.tr("About Dialdeck"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(560, 520)
