"""The committed platform icons are well-formed and rendered from the current SVG master."""

from __future__ import annotations

import importlib.util
import struct
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtGui import QGuiApplication, QImage

from tests.packaging.conftest import ROOT

ICONS = ROOT / "packaging" / "icons"


@pytest.fixture(scope="module")
def make_icons() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_icons", ROOT / "scripts" / "make_icons.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_icons"] = module
    spec.loader.exec_module(module)
    return module


def png_size(data: bytes) -> tuple[int, int]:
    image = QImage.fromData(data, "PNG")
    assert not image.isNull()
    return image.width(), image.height()


def test_ico_holds_every_windows_size(qapp: QGuiApplication, make_icons: ModuleType) -> None:
    data = (ICONS / "dialdeck.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        width, _h, _c, _r, _planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * i
        )
        image = data[offset : offset + length]
        assert png_size(image) == ((width or 256), (width or 256))
        assert bits == 32
        sizes.append(width or 256)
    assert sizes == list(make_icons.ICO_SIZES)


def test_icns_holds_every_macos_size(qapp: QGuiApplication, make_icons: ModuleType) -> None:
    data = (ICONS / "dialdeck.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack_from(">I", data, 4)[0] == len(data)
    offset, found = 8, {}
    while offset < len(data):
        kind, length = data[offset : offset + 4], struct.unpack_from(">I", data, offset + 4)[0]
        found[kind] = png_size(data[offset + 8 : offset + length])
        offset += length
    assert found == {kind: (size, size) for kind, size in make_icons.ICNS_TYPES}


def test_icons_are_rendered_from_the_master(
    qapp: QGuiApplication, make_icons: ModuleType, tmp_path: Path
) -> None:
    """Re-rendered now, they match the committed ones (to a rounding difference between Qt
    versions): after editing the SVG, run scripts/make_icons.py."""
    written = make_icons.make_icons(tmp_path)
    assert len(written) == len(make_icons.LINUX_SIZES) + 2
    for size in (32, 256):
        fresh = QImage(str(tmp_path / "png" / f"dialdeck-{size}.png"))
        committed = QImage(str(ICONS / "png" / f"dialdeck-{size}.png"))
        assert fresh.size() == committed.size()
        total = 0
        for y in range(size):
            for x in range(size):
                a, b = fresh.pixelColor(x, y), committed.pixelColor(x, y)
                total += abs(a.red() - b.red()) + abs(a.green() - b.green())
                total += abs(a.blue() - b.blue()) + abs(a.alpha() - b.alpha())
        assert total / (size * size * 4) < 1.0, f"{size} px icon differs from the SVG master"
