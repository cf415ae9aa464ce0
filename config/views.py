"""Operational endpoints, and the error pages (400, 403, 404, 500 and a refused form) in the site's layout."""

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET
from rest_framework import exceptions as api_exceptions

from config.celery import app as celery_app

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; the reason goes in the answer
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.HEALTHCHECK_BROKER_TIMEOUT)
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """Answer 200 when the database and the broker respond, 503 otherwise; the body says which."""
    checks = {"database": _database_state(), "broker": _broker_state()}
    healthy = all(state in ("ok", "eager") for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


# --- error pages ---------------------------------------------------------------------------------
# The API answers errors as JSON, as DRF does ({"detail": ...}, in DRF's own translated words); every
# other page gets a template. The views that render a form in the layout need @requires_csrf_token:
# a 404 never reaches the CSRF middleware's view step, and the menu's language switch posts a token.


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _api_error(detail, status: int) -> JsonResponse:
    return JsonResponse({"detail": str(detail)}, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    if _is_api(request):
        return _api_error(api_exceptions.ParseError.default_detail, 400)
    return render(request, "400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    """The reason the code gave (services raise a translated one), else a general refusal."""
    reason = str(exception) if exception is not None else ""
    if _is_api(request):
        return _api_error(reason or api_exceptions.PermissionDenied.default_detail, 403)
    return render(request, "403.html", {"reason": reason}, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    """The same page whether the thing is missing or out of the user's scope; the exception is not shown."""
    if _is_api(request):
        return _api_error(api_exceptions.NotFound.default_detail, 404)
    return render(request, "404.html", status=404)


def server_error(request):
    """A page that needs neither the database nor the request: either may be what failed."""
    if _is_api(request):
        return _api_error(api_exceptions.APIException.default_detail, 500)
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:  # a broken error page must still answer 500; the failure is logged
        logger.exception("The 500 page could not be rendered")
        return HttpResponseServerError("<h1>Server Error (500)</h1>")


def csrf_failure(request, reason=""):
    """A form refused by the CSRF check: it was open too long, or cookies are off. Nothing was saved."""
    if _is_api(request):
        return _api_error(_("The form was refused for safety; nothing was saved."), 403)
    referer = request.META.get("HTTP_REFERER", "")
    back = (
        referer
        if referer
        and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        else reverse("projects:list")
    )
    return render(
        request,
        "403_csrf.html",
        {"back_url": back, "no_cookie": reason == REASON_NO_CSRF_COOKIE},
        status=403,
    )
