"""History's Recording column says what Recordings says of the same download."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from dialdeck.core.history import HistoryRow
from dialdeck.core.library import RecState
from dialdeck.core.store import CallState
from dialdeck.ui.describe import full_when, short_when
from dialdeck.ui.history_view import recording_word

ROW = HistoryRow(
    id=1, uuid="u", placed_at=datetime(2026, 7, 3, 10, 0, tzinfo=UTC), to_number="9876543210",
    from_number="919800000000", agent="a", state=CallState.ENDED, call_status="ANSWER",
    duration=30, legs=2, notes="", disposition="", error=None, recording_state=None,
    recording_id=None, sandbox=True,
)  # fmt: skip


def test_a_failed_download_that_will_be_tried_again_says_when() -> None:
    retry = datetime(2026, 7, 3, 10, 5, tzinfo=UTC)
    failed = replace(ROW, recording_state=RecState.FAILED, recording_retry_at=retry)
    assert recording_word(failed) == f"Retry at {retry.astimezone():%H:%M}"
    assert recording_word(replace(failed, recording_retry_at=None)) == "Failed"  # for good
    assert recording_word(replace(ROW, recording_state=RecState.LOCAL)) == "Saved"
    assert recording_word(ROW) == "—"


def test_table_dates_are_short_and_say_the_year_only_when_it_is_not_this_one() -> None:
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    this_year = datetime(2026, 3, 4, 9, 5, tzinfo=UTC)
    assert short_when(this_year, now) == f"{this_year.astimezone():%d %b %H:%M}"
    last_year = datetime(2025, 12, 30, 9, 5, tzinfo=UTC)
    assert short_when(last_year, now) == f"{last_year.astimezone():%d %b %Y}"
    assert str(this_year.astimezone().year) in full_when(this_year)
