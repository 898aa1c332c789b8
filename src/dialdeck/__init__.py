"""Dialdeck: a desktop companion for the CloudDialer click-to-call API."""

import sys

# httpx imports its command-line client (click, rich, pygments: ~75 modules, ~5 MB, ~40 ms)
# whenever those happen to be installed, as in a development environment. Dialdeck never uses
# it; a None entry makes that import fail, which httpx handles (its unused ``main`` then says how
# to install the CLI).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

__version__ = "0.1.0"
APP_NAME = "Dialdeck"
