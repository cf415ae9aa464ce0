"""The resident's consent pages (``portal.services.consent``): read the agreement, ask for a one-time
code, accept with it (an owner-occupier) or give one's support (a tenant), and download what was
accepted. Reached with the personal link only; who may not accept or support now gets a 404."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.access import resident_page
from portal.models import Acceptance
from portal.services import consent
from portal.views import _context, _error_text, _errors_of, _url
from projects.errors import Conflict, Refused


def _page(request, code, *, errors=None, status=200):
    contact, dwelling = request.link.contact, request.link.dwelling
    kind = consent.consent_kind(contact, dwelling)
    done = consent.accepted(contact, dwelling)
    if done is not None and (kind is None or done.kind == kind):
        return render(request, "portal/agreement.html", _context(request, kind=done.kind, done=done))
    if kind is None:
        raise Http404
    text = consent.agreement_text(
        contact, dwelling, kind=kind, language=translation.get_language(), plan_url=_url("plan-file", code)
    )
    return render(
        request,
        "portal/agreement.html",
        _context(
            request,
            kind=kind,
            text=text,
            errors=errors or {},
            code_minutes=settings.PORTAL_CODE_MINUTES,
        ),
        status=status,
    )


@require_GET
@resident_page
def agreement(request, code):
    return _page(request, code)


@require_POST
@resident_page
def agreement_code(request, code):
    if consent.consent_kind(request.link.contact, request.link.dwelling) is None:
        raise Http404
    try:
        where = consent.code_request(resident=request.resident)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, _("We sent you a code by %(route)s. It can take a minute to arrive.") % {"route": where}
        )
    return redirect(_url("agreement", code))


@require_POST
@resident_page
def agreement_accept(request, code):
    contact, dwelling = request.link.contact, request.link.dwelling
    kind = consent.consent_kind(contact, dwelling)
    if kind is None:
        if consent.accepted(contact, dwelling) is not None:
            return redirect(_url("agreement", code))  # sent twice: the first one counted
        raise Http404
    accept = consent.agreement_accept if kind == Acceptance.Kind.AGREEMENT else consent.support_give
    try:
        _acceptance, made = accept(
            resident=request.resident,
            code=request.POST.get("code", ""),
            text_digest=request.POST.get("text_digest", ""),
            language=translation.get_language(),
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        return _page(request, code, errors=_errors_of(error), status=400)
    except (Conflict, Refused) as error:
        messages.error(request, str(error))
        return redirect(_url("agreement", code))
    if made:
        messages.success(
            request,
            _("Thank you. Your consent is recorded. You can download what you agreed to below.")
            if kind == Acceptance.Kind.AGREEMENT
            else _("Thank you. Your support is recorded. You can download it below."),
        )
    return redirect(_url("agreement", code))


@require_GET
@resident_page
def agreement_file(request, code):
    done = consent.accepted(request.link.contact, request.link.dwelling)
    if done is None or not done.document:
        raise Http404
    name = "steun.pdf" if done.kind == Acceptance.Kind.TENANT_SUPPORT else "akkoord.pdf"
    return FileResponse(done.document.open("rb"), content_type="application/pdf", filename=name)
