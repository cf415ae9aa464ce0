"""The communicating party's pages of meetings with residents, mounted at /meetings/: the meetings of a
project with their answers, the sounding board's members, planning and changing a meeting, the notes of a
sounding-board meeting, and the invitation (a draft campaign to check and send on its own page).

For the people who speak to the project's residents (``communication.permissions.can_speak``); for anyone
else the project and its meetings do not exist (404). Names of people show for the homes the user may
message; the totals count everyone.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from communication.models import Language
from communication.permissions import can_speak
from portal.models import Meeting, MeetingKind, MeetingReply, SoundingBoardMember
from portal.services import meetings as services
from projects import selectors as project_selectors
from projects.forms import StyledFormMixin
from projects.views.dwellings import add_errors
from projects.widgets import DateTimeInput


class MeetingForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=services.MAX_TITLE)
    starts_at = forms.DateTimeField(label=gettext_lazy("Date and starting time"), widget=DateTimeInput())
    place = forms.CharField(
        label=gettext_lazy("Place"),
        max_length=services.MAX_PLACE,
        help_text=gettext_lazy("The address, and the room if that helps."),
    )
    description = forms.CharField(
        label=gettext_lazy("What it is about"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Residents read this in the portal. Use plain words."),
    )


class NotesForm(StyledFormMixin, forms.Form):
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("The members of the sounding board read these in the portal."),
    )


class InviteForm(StyledFormMixin, forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the invitation"),
        choices=Language.choices,
        initial="nl",
        help_text=gettext_lazy("One invitation has one text: everyone gets it in this language."),
    )


def _project(request, slug):
    project = project_selectors.project_get(user=request.user, slug=slug)
    if not can_speak(request.user, project):
        raise Http404
    return project


def _meeting(request, pk) -> Meeting:
    return get_object_or_404(
        services.meetings_visible_to(request.user).select_related("project", "invitation"), pk=pk
    )


def _with_figures(meetings):
    coming = Q(replies__coming=True)
    return meetings.annotate(
        coming_count=Count("replies", filter=coming),
        coming_people=Sum("replies__people", filter=coming),
        away_count=Count("replies", filter=Q(replies__coming=False)),
    )


@login_required
def meeting_list(request, slug):
    project = _project(request, slug)
    now = timezone.now()
    rows = _with_figures(Meeting.objects.filter(project=project))
    reachable = services.reachable_dwellings(request.user)
    active = SoundingBoardMember.objects.filter(project=project, left_at__isnull=True)
    members = (
        active.filter(contact__dwelling__in=reachable)
        .select_related("contact", "contact__dwelling")
        .order_by("contact__name", "pk")
    )
    return render(
        request,
        "portal/meeting_list.html",
        {
            "project": project,
            "upcoming": rows.filter(starts_at__gt=now).order_by("starts_at", "pk"),
            "held": rows.filter(starts_at__lte=now).order_by("-starts_at", "-pk")[:50],
            "members": members,
            "member_count": active.count(),
        },
    )


@login_required
def meeting_create(request, slug):
    project = _project(request, slug)
    return _edit(request, project, None)


@login_required
def meeting_edit(request, pk):
    meeting = _meeting(request, pk)
    return _edit(request, meeting.project, meeting)


def _edit(request, project, meeting):
    initial = {}
    if meeting is not None:
        initial = {
            "kind": meeting.kind,
            "title": meeting.title,
            "starts_at": timezone.localtime(meeting.starts_at),
            "place": meeting.place,
            "description": meeting.description,
        }
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.meeting_save(
                actor=request.user,
                project=project,
                values=form.cleaned_data,
                meeting_id=meeting.pk if meeting else None,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The meeting is saved."))
            return redirect("meetings:detail", pk=saved.pk)
    return render(
        request,
        "portal/meeting_form.html",
        {"project": project, "meeting": meeting, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def meeting_detail(request, pk):
    meeting = _meeting(request, pk)
    return render(request, "portal/meeting_detail.html", _detail(request, meeting))


def _detail(request, meeting, notes_form=None, invite_form=None):
    figures = _with_figures(Meeting.objects.filter(pk=meeting.pk)).values(
        "coming_count", "coming_people", "away_count"
    )[0]
    replies = (
        MeetingReply.objects.filter(
            meeting=meeting, contact__dwelling__in=services.reachable_dwellings(request.user)
        )
        .select_related("contact", "contact__dwelling")
        .order_by("-coming", "contact__name", "pk")
    )
    return {
        "project": meeting.project,
        "meeting": meeting,
        "figures": figures,
        "replies": replies,
        "notes_form": notes_form or NotesForm(initial={"notes": meeting.notes}),
        "may_write_notes": meeting.kind == MeetingKind.SOUNDING_BOARD and meeting.started,
        "invite_form": invite_form or InviteForm(),
        "invitation": meeting.invitation,
    }


@login_required
@require_POST
def meeting_notes(request, pk):
    meeting = _meeting(request, pk)
    form = NotesForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_notes_save(
                actor=request.user, meeting_id=meeting.pk, notes=form.cleaned_data["notes"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The notes are saved. The members read them in the portal."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(
        request, "portal/meeting_detail.html", _detail(request, meeting, notes_form=form), status=400
    )


@login_required
@require_POST
def meeting_invite(request, pk):
    meeting = _meeting(request, pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            campaign = services.meeting_invite(
                actor=request.user, meeting_id=meeting.pk, language=form.cleaned_data["language"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("The invitation is ready as a draft. Check who gets it and how it reads, then send it."),
            )
            return redirect("communication:campaign", pk=campaign.pk)
    return render(
        request, "portal/meeting_detail.html", _detail(request, meeting, invite_form=form), status=400
    )
