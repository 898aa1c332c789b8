"""Call and leg states in plain words an agent understands at a glance."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from dialdeck.core.api import CallInfo, CallStatus, LegRole, LegStatus
from dialdeck.core.calls import (
    CallEvent,
    CustomerLeft,
    LegAdded,
    ParticipantFailed,
    ParticipantJoined,
    ParticipantLeft,
)
from dialdeck.core.numbers import DialNumber, check_dial_number

if TYPE_CHECKING:
    from dialdeck.core.calls import TrackedCall
    from dialdeck.core.contact_names import ContactNames
    from dialdeck.core.library import RecordingRow


def tr(text: str) -> str:
    return QCoreApplication.translate("Describe", text)


def count(n: int, one: str, many: str) -> str:
    """A count with its noun agreeing: ``count(1, "%Ln call", "%Ln calls")`` is "1 call".

    Both English forms are in the source; the chosen one goes through Qt's plural-aware
    ``translate(..., n)``, so a translation can supply its language's forms. Qt writes ``%n``
    as is and ``%Ln`` with the locale's digit grouping ("12,480 calls" in en_IN)."""
    return QCoreApplication.translate("Count", one if n == 1 else many, None, n)


def ago(seconds: float) -> str:
    """How long ago, said the same wherever it is said: "moments ago", "1 min ago", "4 min ago"."""
    minutes = int(seconds // 60)
    return tr("moments ago") if minutes < 1 else count(minutes, "%n min ago", "%n min ago")


def call_state(call: TrackedCall) -> str:
    """The one-line headline of the call panel."""
    if call.outcome_unknown:
        return tr("May have been placed: check your phone")
    if call.error:
        if call.resumable:  # the key or network refused: still asked now and then
            return tr("Following paused") + f": {call.error}"
        return tr("No longer following this call") + f": {call.error}"
    info = call.info
    if info is None:
        return tr("Placing the call…")
    if info.is_over:
        return outcome(info)
    legs = {leg.role: leg for leg in info.legs}
    agent, customer = legs.get(LegRole.AGENT), legs.get(LegRole.DESTINATION)
    if info.call_status is CallStatus.ANSWER:
        joined = sum(1 for leg in info.legs if leg.status is LegStatus.JOINED)
        return (
            tr("Connected")
            if joined <= 2
            else tr("Connected: {n} people on the call").format(n=joined)
        )
    if info.call_status is CallStatus.INITIATED:
        if agent is None or agent.status is LegStatus.DIALING:
            return tr("Ringing your phone: pick up")
        if customer is None or customer.status is LegStatus.DIALING:
            return tr("Calling the customer…")
        return tr("Connecting…")
    return tr("CloudDialer says: {status}").format(status=info.call_status.value)


def reconnecting(call: TrackedCall) -> str:
    """The line under the headline while CloudDialer does not answer as it should."""
    if call.asked_to_wait_until is None:
        return tr("Reconnecting to CloudDialer…")
    return tr("CloudDialer asked Dialdeck to slow down: checking again at {time}").format(
        time=f"{call.asked_to_wait_until.astimezone():%H:%M:%S}"
    )


def event_notice(event: CallEvent, info: CallInfo | None) -> tuple[str, bool] | None:
    """What the agent is told of a change in their call: (the words, whether it is a problem)."""
    if isinstance(event, LegAdded):
        return tr("Ringing your colleague…"), False
    if isinstance(event, ParticipantJoined):
        return tr(
            "Your colleague joined. To transfer the call, hang up: they stay with the customer."
        ), False
    if isinstance(event, ParticipantFailed) and info is not None:
        who = number(info.legs[event.position].number)
        return tr("Your colleague at {number} could not be reached. The call goes on.").format(
            number=who
        ), True
    if isinstance(event, ParticipantLeft):
        return tr("Your colleague left the call."), False
    if isinstance(event, CustomerLeft):
        legs = info.legs if info else ()
        if any(leg.role is LegRole.PARTICIPANT and leg.status is LegStatus.JOINED for leg in legs):
            return tr("The customer hung up. You are still on the line with your colleague."), False
        return tr("The customer hung up."), False
    return None


def worth_notifying(call: TrackedCall) -> bool:
    """The moments an agent wants a notification for: their phone rings, the call connects, it
    ends. Decided on state, not on the (translatable) words of the headline."""
    info = call.info
    if info is None or call.reconnecting or call.error:
        return False
    if info.is_over or info.call_status is CallStatus.ANSWER:
        return True
    agent = next((leg for leg in info.legs if leg.role is LegRole.AGENT), None)
    return info.call_status is CallStatus.INITIATED and (
        agent is None or agent.status is LegStatus.DIALING
    )


def outcome(info: CallInfo) -> str:
    status = info.call_status
    has_customer_leg = any(leg.role is LegRole.DESTINATION for leg in info.legs)
    if status is CallStatus.ANSWER:
        return tr("Call ended")
    if status is CallStatus.NO_ANSWER:
        return (
            tr("The customer did not answer")
            if has_customer_leg
            else tr("You did not pick up your phone")
        )
    if status is CallStatus.BUSY:
        return tr("Customer's line was busy")
    if status is CallStatus.FAILED:
        return tr("The call could not be connected (network failure)")
    if status is CallStatus.CANCELED:
        return tr("Call cancelled before the customer answered")
    return tr("Call ended: {status}").format(status=status.value)


def role(value: LegRole) -> str:
    words = {
        LegRole.AGENT: tr("You"),
        LegRole.DESTINATION: tr("Customer"),
        LegRole.PARTICIPANT: tr("Colleague"),
    }
    return words.get(value, value.value.capitalize())  # a role we have never seen: as sent


def leg_status(value: LegStatus) -> str:
    words = {
        LegStatus.DIALING: tr("Ringing"),
        LegStatus.JOINED: tr("Connected"),
        LegStatus.LEFT: tr("Hung up"),
        LegStatus.FAILED: tr("Not reached"),
    }
    return words.get(value, value.value)


def number(value: str) -> str:
    """A leg's number in readable form when it is one; agent ids ("agent.017") as they are."""
    parsed = check_dial_number(value) if value[:1].isdigit() or value[:1] == "+" else None
    return parsed.display if isinstance(parsed, DialNumber) else value


CLOCK_SKEW = 120.0  # seconds: a PC clock this far from CloudDialer's is wrong, not late
LONGEST_CALL = 24 * 3600.0  # an ended call's times further apart than this are not believed


def call_seconds(info: CallInfo | None, followed: float, now: datetime) -> float:
    """The call's clock: CloudDialer's start against this PC's clock. While live, its own count
    wins when the two disagree by more than :data:`CLOCK_SKEW`; times that cannot be (an end
    before the start, a day apart, year 9999) give its count, or how long Dialdeck followed."""
    if info is None or info.start_time is None:
        return followed
    elapsed = ((info.end_time or now) - info.start_time).total_seconds()
    counted = None if info.duration is None else float(info.duration)
    if info.end_time is None and counted is not None:
        return counted if abs(elapsed - counted) > CLOCK_SKEW else max(elapsed, counted)
    if 0 <= elapsed <= LONGEST_CALL:
        return elapsed
    return followed if counted is None else counted


def short_when(moment: datetime, now: datetime | None = None) -> str:
    """A table's date, short: "29 Nov 14:05" this year, "29 Nov 2025" before (the full date and
    time are in the tooltip and the details)."""
    local = moment.astimezone()
    this_year = (now or datetime.now(UTC)).astimezone().year
    return f"{local:%d %b %H:%M}" if local.year == this_year else f"{local:%d %b %Y}"


def full_when(moment: datetime) -> str:
    return f"{moment.astimezone():%A %d %B %Y, %H:%M}"


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def interrupted_calls(n: int) -> str:
    """Calls the previous session left "placing" (it crashed or was killed mid-request)."""
    return count(
        n,
        "%n call from last time may or may not have been placed: check History.",
        "%n calls from last time may or may not have been placed: check History.",
    )


def recording_title(row: RecordingRow, names: ContactNames | None) -> str:
    """A call's recording is titled with the current name for its number, read when shown, so
    recordings saved before the contact was imported are named too. Imports keep their title."""
    if names is None or row.source != "call" or not row.number:
        return row.title
    number = check_dial_number(row.number)
    if not isinstance(number, DialNumber):
        return row.title
    name = names.label(number.national)
    shown = f"{name} ({number.display})" if name else number.display
    return tr("Call with {number}").format(number=shown)
