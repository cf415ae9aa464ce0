"""How a portal page finds its person: the code in the URL, checked on every request.

A tampered, revoked or unknown code answers 404 and counts against the visitor's address
(django-ratelimit, ``PORTAL_GUESS_RATE``); past the limit every code answers 429 for a while. An
expired code answers 404 too, with a button that sends a new link to the person's known channel.
Opening a page changes nothing; every action is a POST with Django's CSRF check.
"""

import functools

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django_ratelimit.core import is_ratelimited

from portal.links import link_find
from projects.residents import Resident

GROUP = "portal-link"


def _limited(request, increment: bool) -> bool:
    return is_ratelimited(
        request, group=GROUP, key="ip", rate=settings.PORTAL_GUESS_RATE, increment=increment
    )


def _private(response):
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The code in the URL never leaves the site; not "no-referrer": with it the browser sends
    # ``Origin: null`` on the page's own forms, and Django's CSRF check refuses every POST.
    response["Referrer-Policy"] = "same-origin"
    return response


def resident_page(view):
    """The view gets ``request.resident`` (a ``projects.residents.Resident``) and ``request.link``."""

    @functools.wraps(view)
    def wrapper(request, code, *args, **kwargs):
        if _limited(request, increment=False):
            return _private(render(request, "portal/too_many.html", status=429))
        found = link_find(code)
        if found.link is None:
            _limited(request, increment=True)
            template = "portal/expired.html" if found.expired else "portal/not_found.html"
            return _private(render(request, template, {"code": code}, status=404))
        request.link = found.link
        request.resident = Resident(found.link.contact)
        # The person's own language, unless they chose another with the switch.
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and found.link.contact.language in (
            "nl",
            "en",
        ):
            translation.activate(found.link.contact.language)
            request.LANGUAGE_CODE = found.link.contact.language
        return _private(view(request, code, *args, **kwargs))

    return wrapper
