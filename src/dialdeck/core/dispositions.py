"""The call outcomes an agent picks from when wrapping up, until Settings says otherwise.

On their own (no settings machinery) because the call panel and History need them to build,
on the way to the first paint, before the settings file is read."""

DEFAULT_DISPOSITIONS = (
    "Interested",
    "Call back",
    "Not interested",
    "Wrong number",
    "Sale",
    "Support resolved",
)
