"""Names for numbers, read synchronously by the UI: a small cache filled off the GUI thread.

The UI asks :meth:`ContactNames.label` while painting; a number not cached yet is shown as a number
and remembered as wanted (:meth:`take_wanted`), so its owner fetches the batch on the database
thread (:func:`core.contacts.lookup_many`) and stores the answer (:meth:`store`). An import clears
the cache (:meth:`clear`): an answer fetched before it is dropped, never stored over the new data.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from dialdeck.core.contacts import Contact
from dialdeck.core.numbers import DialNumber, check_dial_number

_NO_CONTACT = None


class ContactNames:
    def __init__(self, capacity: int = 5_000) -> None:
        self.capacity = capacity
        self.generation = 0
        self._known: OrderedDict[str, Contact | None] = OrderedDict()
        self._wanted: set[str] = set()
        self.on_wanted: Callable[[], None] | None = None  # a number was asked for, not known

    def __len__(self) -> int:
        return len(self._known)

    def contact(self, national: str) -> Contact | None:
        """The contact for a national number, if cached; otherwise None and the number is wanted."""
        if national in self._known:
            self._known.move_to_end(national)
            return self._known[national]
        if national and national not in self._wanted:
            self._wanted.add(national)
            if self.on_wanted is not None:
                self.on_wanted()
        return _NO_CONTACT

    def label(self, national: str) -> str:
        """ "Asha Rao (Acme)", or "" when there is no contact (or it is not known yet)."""
        found = self.contact(national)
        return found.label if found else ""

    def describe(self, number: DialNumber) -> str:
        """ "Asha Rao (Acme) · +91 98765 43210", or just the number."""
        name = self.label(number.national)
        return f"{name} · {number.display}" if name else number.display

    def describe_text(self, text: str) -> str:
        """Like :meth:`describe` for a number as stored or shown (anything not a number as is)."""
        checked = check_dial_number(text) if text[:1].isdigit() or text[:1] == "+" else None
        return self.describe(checked) if isinstance(checked, DialNumber) else text

    def name_only(self, text: str) -> str:
        """Just the name for a number as stored or shown; "" when unknown."""
        checked = check_dial_number(text) if text[:1].isdigit() or text[:1] == "+" else None
        return self.label(checked.national) if isinstance(checked, DialNumber) else ""

    def take_wanted(self) -> list[str]:
        wanted, self._wanted = sorted(self._wanted), set()
        return wanted

    def store(self, found: dict[str, Contact | None], generation: int) -> bool:
        """Keep an answer fetched at ``generation``; False (dropped) if the cache was cleared."""
        if generation != self.generation:
            return False
        for national, contact in found.items():
            self._known[national] = contact
            self._known.move_to_end(national)
            self._wanted.discard(national)
        while len(self._known) > self.capacity:
            self._known.popitem(last=False)
        return True

    def clear(self) -> None:
        self.generation += 1
        self._known.clear()
