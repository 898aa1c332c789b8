"""Qt's own model tester (QAbstractItemModelTester, C++: cheap enough for 100k-row models) on
several models at once, for a block of a test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import shiboken6
from PySide6.QtCore import QAbstractItemModel
from PySide6.QtTest import QAbstractItemModelTester


@contextmanager
def model_testers(*models: QAbstractItemModel) -> Iterator[None]:
    """Qt's model tester on every model at once, for the whole block (qtmodeltester.check keeps
    only the last one), deleted before the models are: none may watch a model being destroyed."""
    testers = [
        QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
        for model in models
    ]  # a failed check is a Qt warning: it fails the test (qt_log_level_fail)
    try:
        yield
    finally:
        for tester in testers:
            shiboken6.delete(tester)
