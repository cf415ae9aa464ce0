"""Consent in the portal: the owner-occupier accepts the agreement, a tenant gives their support.

The person reads the agreement (``portal/agreement_text.html``: the project, the address, the works of
the survey, the installer when known and the connection plan), asks for a one-time code, which goes to
their known e-mail or mobile number (never to one typed in the portal), and accepts with it. What they
accepted is kept as a PDF with the time, their name and how it was checked that it was them, beside the
SHA-256 of the text; the form carries that digest, so a text that changed while it was open is not
accepted unread.

An owner-occupier's acceptance is the agreement itself: ``record_agreement`` follows through the
workflow as their own move, in the same transaction. A tenant's support is recorded as support only:
the owner (a housing association or landlord) still gives the agreement as today, and so do owners'
associations.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communication.models import Message, MessageStatus, TemplateKey
from communication.routing import Route, normalise_phone
from communication.services.personal import message_person
from portal.codes import code_check, mask_address
from portal.grants import is_signatory
from portal.models import Acceptance, OneTimeCode
from projects import timeline, workflow
from projects.models import Channel, ContactRole, Dwelling
from projects.residents import Resident
from projects.services import dwelling_transition
from projects.states import DwellingState
from projects.states import Signatory as SignatoryChoice
from surveys.models import ConnectionPlan, PlanVariant, Survey
from surveys.schema import RESPONSIBLE, WORKS

KINDS = Acceptance.Kind


def consent_kind(contact, dwelling) -> str | None:
    """What the person may accept now: the agreement (the owner-occupier), their support (the tenant of
    a rented home), or nothing."""
    if dwelling.state != DwellingState.PLAN_READY:
        return None
    if is_signatory(contact, dwelling):
        return KINDS.AGREEMENT
    if dwelling.is_rental() and contact.role == ContactRole.RESIDENT:
        return KINDS.TENANT_SUPPORT
    return None


def may_support(contact, dwelling) -> bool:
    return consent_kind(contact, dwelling) == KINDS.TENANT_SUPPORT


def accepted(contact, dwelling) -> Acceptance | None:
    """What this person accepted for this home in the portal, if anything (the newest)."""
    return (
        Acceptance.objects.filter(dwelling=dwelling, contact=contact).order_by("-accepted_at", "-pk").first()
    )


# --- the text ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementText:
    kind: str
    language: str
    html: str  # as accepted and kept in the PDF: no personal link in it
    digest: str  # SHA-256 of ``html``
    page: str  # the same words for the page, where the plan's name links to the plan's PDF


def _language(contact, language: str | None) -> str:
    if language in ("nl", "en"):
        return language
    return contact.language if contact.language in ("nl", "en") else "nl"


def _works(dwelling) -> list[dict]:
    survey = Survey.objects.filter(dwelling=dwelling).first()
    works, responsible = dict(WORKS), dict(RESPONSIBLE)
    return [
        {
            "work": str(works.get(row.get("work"), row.get("work", ""))),
            "by": str(responsible.get(row.get("responsible"), row.get("responsible", ""))),
        }
        for row in (survey.works if survey else [])
        if isinstance(row, dict)
    ]


def latest_plan(dwelling) -> ConnectionPlan | None:
    return (
        ConnectionPlan.objects.filter(dwelling=dwelling, variant=PlanVariant.FULL)
        .order_by("-version", "-pk")
        .first()
    )


def agreement_text(
    contact, dwelling, *, kind: str | None = None, language: str | None = None, plan_url: str = ""
) -> AgreementText:
    """The text the person reads and accepts, in their language (or ``language``)."""
    kind = kind or consent_kind(contact, dwelling) or KINDS.AGREEMENT
    language = _language(contact, language)
    plan = latest_plan(dwelling)
    context = {
        "kind": kind,
        "language": language,
        "project_name": dwelling.project.name,
        "address": f"{dwelling.street} {dwelling.house_number_full}, {dwelling.postcode} {dwelling.city}",
        "name": contact.name,
        "works": _works(dwelling),
        "installer": dwelling.installer.name if dwelling.installer_id else "",
        "plan": plan,
    }
    with translation.override(language):
        html = render_to_string("portal/agreement_text.html", {**context, "plan_url": ""}).strip()
        page = html
        if plan_url and plan is not None:
            page = render_to_string("portal/agreement_text.html", {**context, "plan_url": plan_url}).strip()
    digest = hashlib.sha256(html.encode()).hexdigest()
    return AgreementText(kind=kind, language=language, html=html, digest=digest, page=page)


# --- the one-time code ------------------------------------------------------------------------------


def _bounced(contact) -> bool:
    return Message.objects.filter(
        contact=contact, channel=Channel.EMAIL, status=MessageStatus.BOUNCED
    ).exists()


def code_route(contact) -> Route | None:
    """Where the code goes: SMS for who prefers SMS and has a mobile number, else e-mail, else SMS.
    Only the person's known addresses; a channel they said no to is not used."""
    mobile = None if contact.sms_opt_out else normalise_phone(contact.phone)
    email = "" if contact.email_opt_out or _bounced(contact) else contact.email
    if contact.preferred_channel == Channel.SMS and mobile:
        return Route(Channel.SMS, mobile)
    if email:
        return Route(Channel.EMAIL, email)
    if mobile:
        return Route(Channel.SMS, mobile)
    return None


def _sent_by(channel: str, address: str) -> str:
    label = Channel(channel).label if channel in Channel.values else channel
    return _("%(channel)s to %(address)s") % {"channel": label, "address": mask_address(address)}


def code_request(*, resident: Resident) -> str:
    """Send a one-time code to the person's known channel (at most one a minute: a double click sends
    once). Returns where it went, masked ("e-mail to a…@example.test")."""
    contact = resident.contact
    dwelling = Dwelling.objects.select_related("project").get(pk=contact.dwelling_id)
    if consent_kind(contact, dwelling) is None:
        raise PermissionDenied
    route = code_route(contact)
    if route is None:
        raise ValidationError(
            _(
                "We cannot send you a code: we have no e-mail address or mobile number of yours. "
                "Please call us."
            )
        )
    minute = timezone.now().strftime("%Y%m%d%H%M")
    message_person(
        contact=contact,
        template_key=TemplateKey.ONE_TIME_CODE,
        trigger=f"portal:code:{contact.pk}:{minute}",
        route=route,
    )
    return _sent_by(route.channel, route.address)


def _code_refused(contact) -> ValidationError:
    current = (
        OneTimeCode.objects.filter(contact=contact, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at", "-pk")
        .first()
    )
    if current is None or current.attempts >= settings.PORTAL_CODE_TRIES:
        return ValidationError(
            {"code": _("This code no longer works. Ask for a new code and type it in.")}, code="code_ended"
        )
    return ValidationError({"code": _("The code is not right. Look at the message and try again.")})


# --- accepting --------------------------------------------------------------------------------------


def _identity_check(contact) -> str:
    message = (
        Message.objects.filter(contact=contact, template_key=TemplateKey.ONE_TIME_CODE)
        .order_by("-created_at", "-pk")
        .first()
    )
    if message is None:
        return _("the personal link and a one-time code")
    return _("the personal link and a one-time code sent by %(route)s") % {
        "route": _sent_by(message.channel, message.address)
    }


def _pdf(text: AgreementText, *, contact, dwelling, at, identity: str) -> bytes:
    import weasyprint

    from surveys.plans.pdf import url_fetcher

    with translation.override(text.language):
        html = render_to_string(
            "portal/agreement_pdf.html",
            {
                "text": text,
                "name": contact.name,
                "at": timezone.localtime(at),
                "identity": identity,
                "project": dwelling.project,
            },
        )
    return weasyprint.HTML(string=html, url_fetcher=url_fetcher()).write_pdf()


_WRONG_CODE = object()


def _accept(kind: str, *, resident: Resident, code: str, text_digest: str, language: str | None):
    # The PDF of what was accepted is written to storage inside the transaction; if the transaction
    # fails after it (the move refused), the file goes too, so no stray document names the person.
    written: list = []
    try:
        return _accept_in_transaction(kind, resident, code, text_digest, language, written)
    except BaseException:
        for file in written:
            file.storage.delete(file.name)
        raise


def _accept_in_transaction(kind, resident, code, text_digest, language, written: list):
    contact = resident.contact
    with transaction.atomic():
        dwelling = (
            Dwelling.objects.select_for_update(of=("self",))
            .select_related("project", "installer")
            .get(pk=contact.dwelling_id)
        )
        existing = Acceptance.objects.filter(dwelling=dwelling, contact=contact, kind=kind).first()
        if existing is not None:
            return existing, False  # sent twice: the first one counts
        if consent_kind(contact, dwelling) != kind:
            raise PermissionDenied
        text = agreement_text(contact, dwelling, kind=kind, language=language)
        if not hmac.compare_digest(text.digest, str(text_digest or "")):
            raise ValidationError(
                {"text_digest": _("The text changed while you were reading it. Read it again below.")}
            )
        if not code_check(contact, code):
            outcome = _WRONG_CODE  # leave the block normally: the wrong try stays counted
        else:
            outcome = _record(
                kind, text, contact=contact, dwelling=dwelling, resident=resident, written=written
            )
    if outcome is _WRONG_CODE:
        raise _code_refused(contact)
    return outcome, True


def _record(kind: str, text: AgreementText, *, contact, dwelling, resident, written: list) -> Acceptance:
    now = timezone.now()
    with translation.override(text.language):
        identity = _identity_check(contact)
    pdf = _pdf(text, contact=contact, dwelling=dwelling, at=now, identity=identity)
    acceptance = Acceptance(
        dwelling=dwelling,
        contact=contact,
        kind=kind,
        accepted_at=now,
        identity_check=identity[:200],
        text_digest=text.digest,
    )
    acceptance.document.save(f"{kind}.pdf", ContentFile(pdf), save=False)
    written.append(acceptance.document)
    acceptance.save()
    if kind == KINDS.AGREEMENT:
        dwelling_transition(
            actor=resident,
            dwelling_id=dwelling.pk,
            transition="record_agreement",
            expected_state=DwellingState.PLAN_READY,
            signatory=SignatoryChoice.OWNER_OCCUPIER,
            signatory_name=contact.name,
            signed_on=timezone.localdate(now),
            document=ContentFile(pdf, name="agreement.pdf"),
        )
    return acceptance


def agreement_accept(*, resident: Resident, code: str, text_digest: str, language: str | None = None):
    """The owner-occupier accepts the agreement: the acceptance, its PDF and the move
    ``record_agreement`` by the person, all or nothing. Returns (acceptance, made now)."""
    return _accept(KINDS.AGREEMENT, resident=resident, code=code, text_digest=text_digest, language=language)


def support_give(*, resident: Resident, code: str, text_digest: str, language: str | None = None):
    """The tenant of a rented home supports the work: kept as their support, no move of the workflow
    (the owner still gives the agreement). Returns (acceptance, made now)."""
    return _accept(
        KINDS.TENANT_SUPPORT, resident=resident, code=code, text_digest=text_digest, language=language
    )


# --- the lead's form ----------------------------------------------------------------------------------


@workflow.suggestion("record_agreement", "tenant_supports")
def tenant_support_given(dwelling):
    """When the tenant gave their support in the portal, the lead's form for the owner's agreement
    starts from "yes" and says so; the lead still records what the owner's papers say."""
    given = (
        Acceptance.objects.filter(dwelling=dwelling, kind=KINDS.TENANT_SUPPORT)
        .order_by("-accepted_at", "-pk")
        .values_list("accepted_at", flat=True)
        .first()
    )
    if given is None:
        return None
    return workflow.Suggestion(
        "yes",
        _("The tenant gave their support in the resident portal on %(date)s.")
        % {"date": formats.date_format(timezone.localtime(given), "DATE_FORMAT")},
    )


# --- the timeline -----------------------------------------------------------------------------------

_TITLES = {
    KINDS.AGREEMENT: gettext_lazy("Agreement accepted in the portal"),
    KINDS.TENANT_SUPPORT: gettext_lazy("The tenant supports the work (given in the portal)"),
}


@timeline.register
def acceptance_entries(dwelling, viewer):
    """What residents accepted in the portal; public. The person is not named (the timeline is read by
    parties that may not see the people)."""
    for row in Acceptance.objects.filter(dwelling=dwelling).order_by("accepted_at", "pk"):
        yield timeline.TimelineEntry(
            at=row.accepted_at,
            kind="acceptance",
            title=str(_TITLES.get(row.kind, row.kind)),
            actor=str(gettext_lazy("the resident (personal link)")),
            public=True,
        )
