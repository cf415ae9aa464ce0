"""The domain's refusals that every edge (pages, API, commands) turns into an answer the same way."""


class Conflict(Exception):
    """Someone else changed or took it meanwhile; nothing was saved (HTTP 409 in the API)."""


class Refused(Exception):
    """Not possible now: the wrong state, or a condition that is not met; nothing was saved (HTTP 400)."""
