"""One translation of the domain's errors into API answers, for every view of every app
(``REST_FRAMEWORK["EXCEPTION_HANDLER"]``):

- ``projects.errors.Conflict`` (the dwelling changed meanwhile, a stale form, a slot taken): 409;
- ``projects.errors.Refused`` (a move not possible now): 400, under the view's ``refusal_field``
  ("transition" unless the view names another);
- Django's ``ValidationError``: 400, per field where the service said which;
- Django's ``PermissionDenied``: 403 with its reason;
- an object that does not exist, or not for this user: 404;
- a request without a person (no login, a wrong or expired token): counted against ``API_RATE_ANON``
  (``projects.api_throttles``), 429 with ``Retry-After`` over the limit.

A view that needs another shape (the survey's answers, nested) catches the error itself first.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from projects.api_throttles import AnonymousRateThrottle
from projects.errors import Conflict, Refused


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def validation_detail(exc: DjangoValidationError) -> dict:
    """A Django ValidationError as a DRF error body: per field where known, the rest as non_field_errors."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    view = context.get("view")
    request = context.get("request")
    nobody = isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed))
    if nobody and request is not None:
        throttle = AnonymousRateThrottle()
        if not throttle.allow_request(request, view):
            exc = exceptions.Throttled(throttle.wait())
    elif isinstance(exc, Conflict):
        exc = ConflictError(str(exc))
    elif isinstance(exc, Refused):
        exc = exceptions.ValidationError({getattr(view, "refusal_field", "transition"): [str(exc)]})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
