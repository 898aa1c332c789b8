"""History queries on a 100,000-call database, the recordings library, retention, waveforms."""

from __future__ import annotations

import csv
import time
import tracemalloc
import wave
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bench.history_data import generate_calls

from dialdeck.core import library, waveform
from dialdeck.core.audio import NotAudioError
from dialdeck.core.history import (
    HistoryFilter,
    Outcome,
    SortKey,
    count_calls,
    export_csv,
    query_calls,
)
from dialdeck.core.library import RecordingRow, RecState
from dialdeck.core.retention import RetentionPolicy, plan
from dialdeck.core.store import HistoryStore
from dialdeck.core.waveform import cached_peaks, compute_peaks
from dialdeck.sandbox.wav import synthesize_call

BIG = 100_000


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HistoryStore]:
    store = HistoryStore(tmp_path_factory.mktemp("big") / "history.sqlite3")
    started = time.perf_counter()
    generate_calls(store, BIG, seed=7)
    assert time.perf_counter() - started < 30
    yield store
    store.close()


def test_counts_and_filters_on_100k(big_store: HistoryStore) -> None:
    assert count_calls(big_store, HistoryFilter()) == BIG
    answered = count_calls(big_store, HistoryFilter(outcome=Outcome.ANSWERED))
    busy = count_calls(big_store, HistoryFilter(outcome=Outcome.BUSY))
    direct = big_store.db.execute(
        "SELECT COUNT(*) FROM calls WHERE call_status = 'ANSWER'"
    ).fetchone()[0]
    assert answered == direct
    assert 0 < busy < answered < BIG
    # Every fifth call has a recording row (state failed in the generator): none is local.
    assert count_calls(big_store, HistoryFilter(has_recording=True)) == 0
    assert count_calls(big_store, HistoryFilter(has_recording=False)) == BIG


def test_date_range_is_inclusive_local_days(big_store: HistoryStore) -> None:
    rows = query_calls(
        big_store, HistoryFilter(), sort=SortKey.PLACED_AT, descending=False, limit=1
    )
    first_day = rows[0].placed_at.astimezone().date()
    in_day = count_calls(big_store, HistoryFilter(since=first_day, until=first_day))
    manual = sum(
        1
        for (placed,) in big_store.db.execute("SELECT placed_at FROM calls")
        if datetime.fromisoformat(placed).astimezone().date() == first_day
    )
    assert in_day == manual > 0


def test_search_by_number_and_note(big_store: HistoryStore) -> None:
    target = query_calls(big_store, HistoryFilter(), offset=12_345, limit=1)[0]
    spaced = f"+91 {target.to_number[:5]} {target.to_number[5:]}"
    found = query_calls(big_store, HistoryFilter(text=spaced), limit=50)
    assert target.uuid in {r.uuid for r in found}
    assert all(target.to_number in r.to_number for r in found)
    notes = query_calls(big_store, HistoryFilter(text="demo booked"), limit=20)
    assert notes
    assert all("demo booked" in r.notes for r in notes)
    assert count_calls(big_store, HistoryFilter(text="no such words anywhere")) == 0


@pytest.mark.parametrize("sort", list(SortKey))
def test_sorting_and_paging_are_consistent(big_store: HistoryStore, sort: SortKey) -> None:
    page1 = query_calls(
        big_store, HistoryFilter(), sort=sort, descending=False, offset=0, limit=300
    )
    page2 = query_calls(
        big_store, HistoryFilter(), sort=sort, descending=False, offset=300, limit=300
    )
    key = {
        SortKey.PLACED_AT: lambda r: r.placed_at,
        SortKey.NUMBER: lambda r: r.to_number,
        SortKey.OUTCOME: lambda r: r.call_status or "",
        SortKey.DURATION: lambda r: r.duration or 0,
        SortKey.CALLER_ID: lambda r: r.from_number,
    }[sort]
    rows = page1 + page2
    assert [key(r) for r in rows] == sorted(key(r) for r in rows)
    assert len({r.id for r in rows}) == 600


def test_pages_are_fast_on_100k(big_store: HistoryStore) -> None:
    started = time.perf_counter()
    query_calls(big_store, HistoryFilter(), offset=BIG - 200, limit=200)
    query_calls(big_store, HistoryFilter(text="9876"), limit=200)
    count_calls(big_store, HistoryFilter(outcome=Outcome.NO_ANSWER))
    assert time.perf_counter() - started < 2.0  # generous for a loaded CI machine


def test_csv_export_matches_the_filter(big_store: HistoryStore, tmp_path: Path) -> None:
    f = HistoryFilter(outcome=Outcome.BUSY, text="follow up")
    out = tmp_path / "busy.csv"
    written = export_csv(big_store, f, out)
    assert written == count_calls(big_store, f) > 0
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == written
    assert {r["outcome"] for r in rows} == {"busy"}
    assert all("follow up" in r["notes"] for r in rows)
    assert list(tmp_path.glob(".export-*")) == []


def rec(
    rec_id: int, *, days_old: float, size: int, notes: str = "", bookmarks: int = 0, path: str = ""
) -> RecordingRow:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    return RecordingRow(
        id=rec_id, call_uuid=None, source="import", title=str(rec_id), url=None, path=path or f"/r/{rec_id}.wav",
        state=RecState.LOCAL, error=None, size=size, duration=1.0, created_at=now - timedelta(days=days_old),
        attempts=0, next_try_at=None, bookmarks=bookmarks, notes=notes,
    )  # fmt: skip


def test_retention_rules() -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    rows = [rec(1, days_old=40, size=100), rec(2, days_old=35, size=100, notes="keep?"),
            rec(3, days_old=20, size=100), rec(4, days_old=10, size=100, bookmarks=1),
            rec(5, days_old=1, size=100, path="/playing.wav")]  # fmt: skip
    assert plan(rows, RetentionPolicy(), now).delete == []
    by_age = plan(rows, RetentionPolicy(max_age_days=30), now)
    assert [r.id for r in by_age.delete] == [1]
    assert [r.id for r in by_age.needs_confirmation] == [2]
    by_size = plan(rows, RetentionPolicy(max_total_bytes=250), now, playing_path="/playing.wav")
    # Oldest first until 250 bytes remain: 1, 2, 3 go (2 needs confirmation).
    assert [r.id for r in by_size.delete] == [1, 3]
    assert [r.id for r in by_size.needs_confirmation] == [2]
    assert by_size.freed_bytes == 200
    tiny = plan(rows, RetentionPolicy(max_total_bytes=0), now, playing_path="/playing.wav")
    assert sorted(r.id for r in tiny.needs_confirmation) == [2, 4, 5]


def test_library_rows_and_bookmarks_survive_reopen(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    store = HistoryStore(db)
    store.record_placing(
        uuid="u1", to_number="9876543210", from_number="919800000000", agent="a", sandbox=False
    )
    rec_id = library.add_pending(
        store, "u1", "http://x/recordings/crm_1.wav", "Call with +91 98765 43210"
    )
    assert library.add_pending(store, "u1", "http://x/other", "dup") == rec_id  # once per call
    assert [r.id for r in library.due_downloads(store)] == [rec_id]
    retry_at = datetime.now(UTC) + timedelta(minutes=1)
    library.mark_failed(store, rec_id, "offline", retry_at)
    assert library.due_downloads(store) == []
    # History knows when, as Recordings does (it said "Failed" of a download about to be retried)
    [call] = query_calls(store, HistoryFilter())
    assert call.recording_state is RecState.FAILED and call.recording_retry_at == retry_at
    assert [
        r.id for r in library.due_downloads(store, datetime.now(UTC) + timedelta(minutes=2))
    ] == [rec_id]
    library.mark_local(store, rec_id, "/r/u1.wav", 1000, 2.5)
    library.add_bookmark(store, rec_id, 1500, "price question")
    library.add_bookmark(store, rec_id, 500, "greeting")
    store.close()
    reopened = HistoryStore(db)
    row = library.get(reopened, rec_id)
    assert row is not None
    assert row.state is RecState.LOCAL
    assert row.protected
    assert [b.text for b in library.bookmarks(reopened, rec_id)] == ["greeting", "price question"]
    assert library.count_recordings(reopened, "98765") == 1
    library.delete(reopened, rec_id)
    assert library.bookmarks(reopened, rec_id) == []  # cascade
    reopened.close()


def test_recordings_search_like_history_numbers_any_format_and_contact_names(
    tmp_path: Path,
) -> None:
    from dialdeck.core import contacts
    from dialdeck.core.contact_files import ContactEntry

    store = HistoryStore(tmp_path / "h.sqlite3")
    for uuid, number in (("u1", "9876544412"), ("u2", "9123456789")):
        store.record_placing(
            uuid=uuid, to_number=number, from_number="919800000000", agent="a", sandbox=False
        )
        rec_id = library.add_pending(store, uuid, f"http://x/{uuid}.wav", f"Call with {number}")
        library.mark_local(store, rec_id, f"/r/{uuid}.wav", 1000, 2.5)

    def found(text: str) -> list[str]:
        rows = library.list_recordings(store, text)
        assert library.count_recordings(store, text) == len(rows)
        return sorted(r.title for r in rows)

    # Numbers by their national digits, as History: the title keeps the number as it was stored.
    assert (
        found("+91 98765 444")
        == found("98765 444")
        == found("098765-444")
        == ["Call with 9876544412"]
    )
    # A contact imported after the call: her older recording is found by her name.
    assert found("Asha") == []
    contacts.import_entries(store, [ContactEntry("Asha Rao", numbers=[("98765 44412", "")])])
    assert found("asha") == ["Call with 9876544412"]
    assert found("Acme") == []  # not a name, not in a title or note
    store.close()


def write_wav(path: Path, bits: int, frames: bytes, rate: int = 8000) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(bits // 8)
        w.setframerate(rate)
        w.writeframes(frames)
    return path


def test_waveform_peaks_follow_loudness(tmp_path: Path) -> None:
    quiet_then_loud = b"".join(
        int(v).to_bytes(2, "little", signed=True) for v in [100] * 4000 + [20000] * 4000
    )
    peaks = compute_peaks(write_wav(tmp_path / "a.wav", 16, quiet_then_loud), buckets=10)
    assert peaks[-1] == 1.0
    assert peaks[0] < 0.01
    for bits in (8, 24, 32):
        frames = bytes((bits // 8) * 8000)
        assert (
            max(compute_peaks(write_wav(tmp_path / f"{bits}.wav", bits, frames), buckets=8)) <= 1.0
        )


def test_waveform_of_an_hour_is_quick_and_cached(tmp_path: Path) -> None:
    path = tmp_path / "hour.wav"
    path.write_bytes(synthesize_call(3600, 8000))
    started = time.perf_counter()
    peaks = cached_peaks(path, tmp_path / "cache")
    assert time.perf_counter() - started < 5
    assert len(peaks) == 800
    assert max(peaks) == 1.0
    assert cached_peaks(path, tmp_path / "cache") == [round(p, 4) for p in peaks]


def pcm16(values: list[int]) -> bytes:
    return b"".join(v.to_bytes(2, "little", signed=True) for v in values)


@pytest.mark.parametrize("claimed", [0, 0xFFFFFFFF])
def test_waveform_of_a_wav_written_while_recording(tmp_path: Path, claimed: int) -> None:
    """Data size 0 or 0xFFFFFFFF (the length was not known yet): the rest of the file is audio."""
    path = write_wav(tmp_path / "a.wav", 16, pcm16([100] * 4000 + [20000] * 4000))
    expected = compute_peaks(path, buckets=10)
    raw = bytearray(path.read_bytes())
    at = raw.index(b"data") + 4
    raw[at : at + 4] = claimed.to_bytes(4, "little")
    path.write_bytes(raw)
    assert compute_peaks(path, buckets=10) == expected
    assert expected[0] < 0.01 and expected[-1] == 1.0


@pytest.mark.parametrize("decimated", [False, True])
def test_waveform_hears_every_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, decimated: bool
) -> None:
    """Call recordings are often agent left, customer right: a loud right channel shows."""
    if decimated:
        monkeypatch.setattr(waveform, "MAX_FRAMES", 1000)  # every 8th frame examined
    left, right = [0] * 8000, [0] * 4000 + [20000] * 4000
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(pcm16([v for pair in zip(left, right, strict=True) for v in pair]))
    peaks = compute_peaks(path, buckets=4)
    assert peaks == [0.0, 0.0, 1.0, 1.0]


def test_waveform_memory_stays_flat_for_a_long_recording(tmp_path: Path) -> None:
    """Read a block at a time: 40 MB of audio (20 minutes at 16 kHz) never held at once."""
    path = tmp_path / "long.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        block = pcm16([1000, -3000] * 50_000)
        for _ in range(200):
            w.writeframes(block)
    tracemalloc.start()
    try:
        peaks = compute_peaks(path)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000
    assert len(peaks) == 800 and min(peaks) == max(peaks) == 1.0


def test_waveform_of_a_format_without_overview_says_so_plainly(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "alaw.wav", 8, bytes(800))
    raw = bytearray(path.read_bytes())
    raw[20:22] = (6).to_bytes(2, "little")  # format tag 6: A-law, as telephony writes
    path.write_bytes(raw)
    with pytest.raises(NotAudioError, match="it plays as usual"):
        compute_peaks(path)
