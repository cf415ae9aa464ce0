"""Logging filters: a refused request is one line in the log, not a traceback."""

import logging

from django.core.exceptions import PermissionDenied


class PermissionDeniedOneLine(logging.Filter):
    """Make Django's "Forbidden (Permission denied)" record one line: method, path, user id and reason.

    ``django.request`` logs every ``PermissionDenied`` with the exception attached, so each refusal
    (an ordinary answer, raised on purpose with a reason) would print a full traceback. Other records,
    a 500 above all, keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exception = record.exc_info[1] if record.exc_info else None
        if getattr(record, "status_code", None) != 403 or not isinstance(exception, PermissionDenied):
            return True
        request = getattr(record, "request", None)
        record.msg = "Forbidden (Permission denied): %s %s user=%s: %s"
        record.args = (
            _escaped(getattr(request, "method", "") or "-"),
            _escaped(getattr(request, "path", "") or "-"),
            _user_id(request),
            " ".join(str(exception).split()) or "-",  # one line, whatever the reason holds
        )
        record.exc_info = None
        record.exc_text = None
        return True


def _escaped(text: str) -> str:
    """As Django escapes the path it logs: no line breaks or control characters from the request."""
    return text.encode("unicode_escape").decode("ascii")


def _user_id(request) -> str:
    user = getattr(request, "user", None)
    try:
        return str(user.pk) if user is not None and user.is_authenticated else "anonymous"
    except Exception:  # noqa: BLE001 - a log line must not fail on the user; the refusal still is logged
        return "?"
