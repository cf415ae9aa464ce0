"""Logging in: what django-axes counts failed attempts against."""


def login_username(request, credentials) -> str:
    """The account a login attempt is for: the e-mail address as typed, in lower case, so that
    "Sanne@..." and "sanne@..." count against the same lockout."""
    # Django's login passes it as "username"; django-axes's own check names it after USERNAME_FIELD.
    credentials = credentials or {}
    posted = getattr(request, "POST", None) or {}
    typed = credentials.get("username") or credentials.get("email") or posted.get("username") or ""
    return str(typed).strip().lower()


def locked_out(request, original_response=None, credentials=None):
    """The page after too many failed logins, in the site's layout and language (HTTP 429)."""
    from axes.helpers import get_cool_off
    from django.conf import settings
    from django.shortcuts import render

    cool_off = get_cool_off(request)
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        },
        status=429,
    )
