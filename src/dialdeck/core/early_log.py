"""What is logged before the log exists: the window is shown first and logging is set up after
it (``app.py``), so a warning said meanwhile (a damaged ``window.ini`` set aside) would go only to
a terminal nobody reads. Kept here, then written to the log in order once it exists."""

from __future__ import annotations

import logging

KEPT = 200  # a start-up says a few things; a loop logging before the log exists is not kept


class EarlyRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    @classmethod
    def install(cls) -> EarlyRecords:
        early = cls()
        logging.getLogger().addHandler(early)
        logging.getLogger("dialdeck").setLevel(logging.INFO)  # until setup_logging sets the root
        return early

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < KEPT:
            self.records.append(record)

    def replay(self) -> None:
        """Once the log's handlers are in place: each kept record goes through them."""
        logging.getLogger().removeHandler(self)
        logging.getLogger("dialdeck").setLevel(logging.NOTSET)
        for record in self.records:
            logging.getLogger(record.name).handle(record)
        self.records.clear()
