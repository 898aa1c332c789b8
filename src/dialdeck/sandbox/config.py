"""Sandbox configuration: accounts, keys, caller IDs, agents, timings.

Out of the box the sandbox knows the vendor reference's example account (caller ID
``919800000000``, agent ``agent.017``) under :data:`DEMO_API_KEY`, so the reference's example
request works unchanged. A TOML file adds accounts::

    talk_time = 20          # seconds each answered party talks before hanging up
    callback_url = "http://127.0.0.1:9000/result"

    keep_calls_for = 3600   # ended calls stay queryable this long (sandbox seconds) ...
    keep_calls = 1000       # ... and at most this many are kept

    [talk_times]            # per party: by the end of its number, or an agent's exact id
    "3210" = 45             # any customer or participant whose number ends in 3210
    "9123456789" = 300      # the longest matching ending wins
    "agent.017" = 60        # an agent (crm_username, or agent_number by its ending)

    [[accounts]]
    name = "acme"
    api_key = "acme-secret"
    caller_ids = ["919800000001"]
    agents = ["alice", "bob"]
    allowed_networks = ["10.0.0.0/8"]      # optional: 403 from anywhere else
    allowed_origins = ["https://crm.acme"] # optional: 403 for another browser Origin
    callback_url = "http://127.0.0.1:9001/result"  # optional, overrides the global one
"""

from __future__ import annotations

import ipaddress
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEMO_API_KEY = "sandbox-demo-key"
DEMO_CALLER_IDS = ("919800000000", "919800000001")
DEMO_AGENT = "agent.017"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Account:
    name: str
    api_key: str
    caller_ids: tuple[str, ...]
    agents: tuple[str, ...]
    allowed_networks: tuple[Network, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    callback_url: str | None = None

    def allows_client(self, host: str | None, origin: str | None) -> bool:
        if self.allowed_networks:
            try:
                address = ipaddress.ip_address(host or "")
            except ValueError:
                return False
            if not any(address in net for net in self.allowed_networks):
                return False
        return not (self.allowed_origins and origin and origin not in self.allowed_origins)


@dataclass(frozen=True)
class Timings:
    """Sandbox seconds (divided by the speed factor in real time)."""

    agent_answer: float = 2.0  # the agent's phone rings this long before they pick up
    customer_answer: float = 3.0
    talk_time: float = 20.0  # then an answered customer or participant hangs up
    quick_failure: float = 1.0  # busy / network failure are reported after this
    cancel_after: float = 2.0  # 4444: the agent gives up while the customer rings


@dataclass(frozen=True)
class SandboxConfig:
    accounts: tuple[Account, ...] = field(
        default_factory=lambda: (Account("demo", DEMO_API_KEY, DEMO_CALLER_IDS, (DEMO_AGENT,)),)
    )
    timings: Timings = field(default_factory=Timings)
    speed: float = 1.0
    callback_url: str | None = None
    sample_rate: int = 8000
    push_retries: int = 3
    push_base_delay: float = 1.0  # sandbox seconds, doubled per retry
    # Per-party talk times: (number ending or agent id, seconds); see :meth:`talk_time_for`.
    talk_times: tuple[tuple[str, float], ...] = ()
    # Ended calls stay queryable (status, recording) this many sandbox seconds, and at most this
    # many of them are kept; the oldest go first. Memory stays flat however long the sandbox runs.
    keep_calls_for: float = 3600.0
    keep_calls: int = 1000

    def talk_time_for(self, party: str) -> float | None:
        """Seconds ``party`` talks once answered, if ``[talk_times]`` scripts it.

        A key of digits (optionally with a leading ``+``) matches every number that ends with it,
        the longest key winning; any other key is an agent id and matches only itself.
        """
        best: tuple[int, float] | None = None
        for key, seconds in self.talk_times:
            if (key == party or (_NUMBER_KEY.fullmatch(key) and party.endswith(key))) and (
                best is None or len(key) > best[0]
            ):
                best = (len(key), seconds)
        return best[1] if best else None

    def party_talk_time(self, number: str) -> float:
        """A customer's or participant's talk time: scripted, else ``talk_time``."""
        scripted = self.talk_time_for(number)
        return self.timings.talk_time if scripted is None else scripted

    def with_talk_times(self, table: Mapping[str, object]) -> SandboxConfig:
        """These ``[talk_times]`` entries added (a repeated key replaces the earlier one)."""
        merged = dict(self.talk_times)
        merged.update(parse_talk_times(table))
        return replace(self, talk_times=tuple(merged.items()))

    def account_for_key(self, key: str) -> Account | None:
        for account in self.accounts:
            if account.api_key == key:
                return account
        return None

    def with_key(self, api_key: str) -> SandboxConfig:
        """Make ``api_key`` the demo account's key (``dialdeck-sandbox --api-key``)."""
        first, *rest = self.accounts
        return replace(self, accounts=(replace(first, api_key=api_key), *rest))

    @classmethod
    def from_toml(cls, path: Path) -> SandboxConfig:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SandboxConfig:
        base = cls()
        accounts = tuple(_account(i, raw) for i, raw in enumerate(data.get("accounts", [])))
        timing_keys = set(Timings.__dataclass_fields__)
        timings = Timings(**{k: float(v) for k, v in data.items() if k in timing_keys})
        table = data.get("talk_times", {})
        if not isinstance(table, dict):
            raise ValueError("sandbox config: talk_times must be a table")
        return cls(
            accounts=(*base.accounts, *accounts),
            timings=timings,
            speed=float(data.get("speed", 1.0)),
            callback_url=data.get("callback_url"),
            sample_rate=int(data.get("sample_rate", 8000)),
            talk_times=tuple(parse_talk_times(table).items()),
            keep_calls_for=float(data.get("keep_calls_for", base.keep_calls_for)),
            keep_calls=int(data.get("keep_calls", base.keep_calls)),
        )


_NUMBER_KEY = re.compile(r"\+?[0-9]+")


def parse_talk_times(table: Mapping[str, object]) -> dict[str, float]:
    """Validate ``{"3210": 45, "agent.017": 60}``: non-empty keys, finite seconds >= 0."""
    parsed: dict[str, float] = {}
    for key, value in table.items():
        if not isinstance(key, str) or not key.strip():
            raise ValueError("sandbox config: talk_times keys must be non-empty")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not (math.isfinite(value) and value >= 0)
        ):
            raise ValueError(f"sandbox config: talk_times[{key!r}] must be seconds >= 0")
        parsed[key.strip()] = float(value)
    return parsed


def _account(index: int, raw: dict[str, Any]) -> Account:
    try:
        return Account(
            name=str(raw.get("name", f"account-{index + 1}")),
            api_key=str(raw["api_key"]),
            caller_ids=tuple(str(c) for c in raw.get("caller_ids", DEMO_CALLER_IDS)),
            agents=tuple(str(a) for a in raw.get("agents", ())),
            allowed_networks=tuple(
                ipaddress.ip_network(n, strict=False) for n in raw.get("allowed_networks", ())
            ),
            allowed_origins=tuple(str(o) for o in raw.get("allowed_origins", ())),
            callback_url=raw.get("callback_url"),
        )
    except (KeyError, ValueError) as exc:
        raise ValueError(f"sandbox config: account {index + 1} is invalid: {exc}") from None
