"""Meetings with residents: information evenings for every home of a project, and the meetings of its
sounding board (klankbordgroep), the residents who signed up for it in the portal.

A resident answers a meeting in the portal (coming or not, with how many people): one answer per
person, a second one replaces the first, and after the meeting started nothing changes any more. The
communicating party plans the meetings, writes the notes of a sounding-board meeting after it, and
invites residents with a draft campaign whose own text has the meeting's facts filled in; they check the
people and the preview on the campaign's page before sending.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from communication import content, placeholders
from communication.models import Campaign, CampaignStatus, Language, Recipients, TemplateKey
from communication.permissions import SPEAKING_ROLES, can_speak, speaking_projects
from communication.services.campaigns import campaign_create
from communication.services.templates import TEXT_FIELDS, template_save
from portal.models import Meeting, MeetingKind, MeetingReply, SoundingBoardMember
from projects.models import ContactRole, Dwelling, Project
from projects.permissions import dwellings_visible_to, is_platform_admin, project_roles
from projects.residents import Resident

MAX_PEOPLE = 6
MAX_TITLE = 160
MAX_PLACE = 200
MAX_TEXT = 10000


# --- Scope ----------------------------------------------------------------------------------------


def meetings_visible_to(user):
    """The meetings of the projects where the user speaks to residents (the communicating party, the
    lead party; every party under dispersed communication)."""
    return Meeting.objects.filter(project_id__in=speaking_projects(user))


def reachable_dwellings(user):
    """The homes whose people's answers and memberships the user sees: those they may message (every
    home of a project where their party speaks for all, their own homes under dispersed communication)."""
    speaking = speaking_projects(user)
    if not speaking:
        return Dwelling.objects.none()
    if is_platform_admin(user):
        return Dwelling.objects.all()
    roles = project_roles(user)
    full = [project for project in speaking if roles.get(project, set()) & SPEAKING_ROLES]
    part = [project for project in speaking if project not in full]
    return Dwelling.objects.filter(
        Q(project_id__in=full) | Q(project_id__in=part, pk__in=dwellings_visible_to(user).values("pk"))
    )


def _require_speaker(actor, project):
    if not can_speak(actor, project):
        raise PermissionDenied(
            _("Only the communicating party and the lead party plan meetings with residents.")
        )


# --- The resident's side --------------------------------------------------------------------------


def active_membership(contact, project) -> SoundingBoardMember | None:
    return SoundingBoardMember.objects.filter(project=project, contact=contact, left_at__isnull=True).first()


def _resident_meeting(resident: Resident, meeting_id) -> Meeting:
    """A meeting of the resident's own project; another project's meeting does not exist for them."""
    try:
        meeting_id = int(meeting_id)
    except (TypeError, ValueError):
        raise Meeting.DoesNotExist from None
    return Meeting.objects.get(pk=meeting_id, project_id=resident.contact.dwelling.project_id)


def _people(value, coming: bool) -> int:
    if not coming:
        return 1
    try:
        people = int(value)
    except (TypeError, ValueError):
        people = 0
    if not 1 <= people <= MAX_PEOPLE:
        raise ValidationError(
            {"people": _("Choose how many people come: 1 to %(most)d.") % {"most": MAX_PEOPLE}}
        )
    return people


def meeting_reply(*, resident: Resident, meeting_id, coming: str, people=None) -> MeetingReply:
    """Store the person's answer (``coming`` is "yes" or "no"); a second answer replaces the first.
    Raises ``Meeting.DoesNotExist`` for a meeting outside the person's project."""
    contact = resident.contact
    meeting = _resident_meeting(resident, meeting_id)
    if coming not in ("yes", "no"):
        raise ValidationError({"coming": _("Choose whether you come.")})
    is_coming = coming == "yes"
    count = _people(people, is_coming)
    if meeting.started:
        raise ValidationError(
            _("This meeting has already started, so you can no longer answer. Questions? Call us.")
        )
    if meeting.kind == MeetingKind.SOUNDING_BOARD and active_membership(contact, meeting.project_id) is None:
        raise ValidationError(_("This meeting is for the members of the sounding board. Sign up first."))
    reply, _made = MeetingReply.objects.update_or_create(
        meeting=meeting,
        contact=contact,
        defaults={"coming": is_coming, "people": count, "replied_at": timezone.now()},
    )
    return reply


def sounding_board_join(*, resident: Resident) -> bool:
    """Sign the person up for their project's sounding board; True if this call did it."""
    contact = resident.contact
    project_id = contact.dwelling.project_id
    if active_membership(contact, project_id) is not None:
        return False
    try:
        with transaction.atomic():
            SoundingBoardMember.objects.create(project_id=project_id, contact=contact)
    except IntegrityError:
        return False  # a double submit: the other one signed them up
    return True


def sounding_board_leave(*, resident: Resident) -> bool:
    """The person leaves the sounding board; True if they were a member."""
    contact = resident.contact
    left = SoundingBoardMember.objects.filter(
        project_id=contact.dwelling.project_id, contact=contact, left_at__isnull=True
    ).update(left_at=timezone.now())
    return bool(left)


# --- The communicating party's side ----------------------------------------------------------------


def _clean(values: dict) -> dict:
    errors = {}
    kind = values.get("kind") or ""
    if kind not in MeetingKind.values:
        errors["kind"] = _("Choose the kind of meeting.")
    title = (values.get("title") or "").strip()
    if not title:
        errors["title"] = _("Give the meeting a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("Keep it to %(count)d characters.") % {"count": MAX_TITLE}
    place = (values.get("place") or "").strip()
    if not place:
        errors["place"] = _("Say where the meeting is.")
    elif len(place) > MAX_PLACE:
        errors["place"] = _("Keep it to %(count)d characters.") % {"count": MAX_PLACE}
    starts_at = values.get("starts_at")
    if starts_at is None:
        errors["starts_at"] = _("Give the date and the time.")
    description = (values.get("description") or "").strip()
    if len(description) > MAX_TEXT:
        errors["description"] = _("Keep it to %(count)d characters.") % {"count": MAX_TEXT}
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "title": title, "place": place, "starts_at": starts_at, "description": description}


@transaction.atomic
def meeting_save(*, actor, project: Project, values: dict, meeting_id=None) -> Meeting:
    """Plan a meeting, or change one. A draft invitation follows the change; one that was sent does not
    (invite again)."""
    _require_speaker(actor, project)
    cleaned = _clean(values)
    if meeting_id:
        meeting = Meeting.objects.select_for_update().get(project=project, pk=meeting_id)
        if meeting.invitation_id and cleaned["kind"] != meeting.kind:
            # The invitation chose its people by the kind (everyone, or the members' homes).
            raise ValidationError(
                {"kind": _("This meeting has an invitation; its kind can no longer change.")}
            )
    else:
        meeting = Meeting(project=project, created_by=actor)
    for field, value in cleaned.items():
        setattr(meeting, field, value)
    meeting.save()
    draft = _draft_invitation(meeting)
    if draft is not None:
        _fill_invitation(actor, meeting, draft.template.language, template_id=draft.template_id)
    return meeting


@transaction.atomic
def meeting_notes_save(*, actor, meeting_id, notes: str) -> Meeting:
    meeting = meetings_visible_to(actor).select_for_update().get(pk=meeting_id)
    _require_speaker(actor, meeting.project)
    if meeting.kind != MeetingKind.SOUNDING_BOARD:
        raise ValidationError({"notes": _("Notes are for sounding-board meetings.")})
    if not meeting.started:
        raise ValidationError({"notes": _("Write the notes after the meeting has started.")})
    notes = (notes or "").strip()
    if len(notes) > MAX_TEXT:
        raise ValidationError({"notes": _("Keep it to %(count)d characters.") % {"count": MAX_TEXT}})
    meeting.notes = notes
    meeting.save(update_fields=["notes"])
    return meeting


def _draft_invitation(meeting: Meeting) -> Campaign | None:
    if meeting.invitation_id is None:
        return None
    campaign = Campaign.objects.select_related("template").filter(pk=meeting.invitation_id).first()
    if campaign is None or campaign.status != CampaignStatus.DRAFT or campaign.template is None:
        return None
    return campaign


def _plain(value: str) -> str:
    """A fact typed by a person goes into the text as text: it can never open a placeholder (a title
    with ((code)) in it would otherwise make a one-time code for every person)."""
    return value.replace("((", "( (").replace("))", ") )")


def meeting_values(meeting: Meeting, language: str) -> dict[str, str]:
    starts_at = timezone.localtime(meeting.starts_at)
    with translation.override(language):
        return {
            "meeting_title": _plain(meeting.title),
            "meeting_date": formats.date_format(starts_at, "l j F Y"),
            "meeting_time": formats.time_format(starts_at, "H:i"),
            "meeting_place": _plain(meeting.place),
        }


def _fill(text: str, values: dict[str, str]) -> str:
    """Replace the meeting's placeholders only; the person's (((name)), ((portal_link))) stay for sending."""
    return placeholders.PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text or "")


def _fill_invitation(actor, meeting: Meeting, language: str, template_id=None):
    """Save the invitation's own text: the project's text for an invitation (or the starter text) in
    ``language``, with the meeting's facts in it. It is approved when the text it comes from is: only the
    facts of the meeting were added."""
    base = content.project_texts(meeting.project, TemplateKey.MEETING_INVITATION)[language]
    values = meeting_values(meeting, language)
    name = f"{TemplateKey.MEETING_INVITATION.label}: {meeting.title}"[:120]
    texts = {field: _fill(getattr(base, field), values) for field in TEXT_FIELDS}
    template = template_save(
        actor=actor,
        project=meeting.project,
        key=TemplateKey.CUSTOM,
        language=language,
        values={**texts, "name": name},
        template_id=template_id,
    )
    if template.language != language:  # the draft's own text, asked for in the other language now
        template.language = language
        template.save(update_fields=["language"])
    if base.approved and not template.approved:
        template.approved_at, template.approved_by = timezone.now(), actor
        template.save(update_fields=["approved_at", "approved_by"])
    return template


def _filters(meeting: Meeting) -> dict:
    if meeting.kind == MeetingKind.INFORMATION_EVENING:
        return {"recipients": Recipients.BOTH}
    members = list(
        SoundingBoardMember.objects.filter(project=meeting.project, left_at__isnull=True).values_list(
            "contact__dwelling_id", "contact__role"
        )
    )
    if not members:
        raise ValidationError(_("The sounding board has no members yet; nobody to invite."))
    roles = {role for _dwelling, role in members}
    # A campaign chooses homes, not people: the members' homes, and the members' role where they share it.
    recipients = {
        frozenset({ContactRole.OWNER}): Recipients.OWNERS,
        frozenset({ContactRole.RESIDENT}): Recipients.RESIDENTS,
    }.get(frozenset(roles), Recipients.BOTH)
    return {"dwellings": sorted({dwelling for dwelling, _role in members}), "recipients": recipients}


@transaction.atomic
def meeting_invite(*, actor, meeting_id, language: str = "nl") -> Campaign:
    """The draft campaign that invites residents: everyone the actor may message for an information
    evening, the members' homes for a sounding-board meeting. While the draft waits, inviting again
    refreshes its text and keeps the one draft; once it has left, a new draft is made."""
    meeting = meetings_visible_to(actor).select_for_update().select_related("project").get(pk=meeting_id)
    _require_speaker(actor, meeting.project)
    if language not in Language.values:
        raise ValidationError({"language": _("Choose Dutch or English.")})
    if meeting.started:
        raise ValidationError(_("This meeting has already started; an invitation comes too late."))
    draft = _draft_invitation(meeting)
    if draft is not None:
        _fill_invitation(actor, meeting, language, template_id=draft.template_id)
        return draft
    filters = _filters(meeting)
    template = _fill_invitation(actor, meeting, language)
    campaign = campaign_create(
        actor=actor,
        project=meeting.project,
        name=template.name,
        template_key=TemplateKey.MEETING_INVITATION,
        template=template,
        filters=filters,
    )
    meeting.invitation = campaign
    meeting.save(update_fields=["invitation"])
    return campaign
