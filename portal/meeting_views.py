"""The resident's page of meetings: the information evenings and sounding-board meetings to come with an
answer per meeting (coming or not, with how many people), signing up for the sounding board or leaving
it, and for its members the notes of the meetings held.

Like every portal page it is reached with the personal link only; every action is a POST that answers
with a redirect and a message in the person's language.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from portal.access import resident_page
from portal.models import Meeting, MeetingKind, MeetingReply
from portal.services import meetings as services
from portal.views import _context, _error_text

PEOPLE_CHOICES = range(1, services.MAX_PEOPLE + 1)
# The meetings to come on one page, the soonest first: each has its answer form, and the page stays
# within the portal's weight budget for a phone (tests/portal/test_weight_and_queries.py). Later ones
# are on the next pages (``?page=2``).
UPCOMING = 10


def _page(code: str, anchor: str = "") -> str:
    return reverse("portal:meetings", args=[code]) + (f"#{anchor}" if anchor else "")


@require_GET
@resident_page
def meetings(request, code):
    contact = request.link.contact
    project = request.link.dwelling.project
    now = timezone.now()
    member = services.active_membership(contact, project) is not None
    # A page number that is no number or past the end shows the nearest page, never an error.
    page = Paginator(
        Meeting.objects.filter(project=project, starts_at__gt=now).order_by("starts_at", "pk"), UPCOMING
    ).get_page(request.GET.get("page"))
    upcoming = list(page.object_list)
    replies = {
        reply.meeting_id: reply
        for reply in MeetingReply.objects.filter(contact=contact, meeting__in=[m.pk for m in upcoming])
    }
    rows = [{"meeting": meeting, "reply": replies.get(meeting.pk)} for meeting in upcoming]
    held = []
    if member:
        held = list(
            Meeting.objects.filter(project=project, kind=MeetingKind.SOUNDING_BOARD, starts_at__lte=now)
            .exclude(notes="")
            .order_by("-starts_at", "-pk")[:20]
        )
    return render(
        request,
        "portal/meetings.html",
        _context(
            request,
            rows=rows,
            page=page,
            member=member,
            held=held,
            people_choices=PEOPLE_CHOICES,
        ),
    )


@require_POST
@resident_page
def meeting_reply(request, code, pk):
    try:
        reply = services.meeting_reply(
            resident=request.resident,
            meeting_id=pk,
            coming=request.POST.get("coming", ""),
            people=request.POST.get("people"),
        )
    except Meeting.DoesNotExist:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(_page(code, f"meeting-{pk}"))
    if reply.coming:
        text = ngettext(
            "Thank you. We count on %(count)d person. You can change this until the meeting starts.",
            "Thank you. We count on %(count)d people. You can change this until the meeting starts.",
            reply.people,
        )
        messages.success(request, text % {"count": reply.people})
    else:
        messages.success(request, _("Thank you. We noted that you do not come."))
    return redirect(_page(code, f"meeting-{pk}"))


@require_POST
@resident_page
def sounding_board(request, code):
    action = request.POST.get("action", "")
    if action == "join":
        services.sounding_board_join(resident=request.resident)
        messages.success(request, _("You are now a member of the sounding board. Welcome!"))
    elif action == "leave":
        services.sounding_board_leave(resident=request.resident)
        messages.success(request, _("You are no longer a member of the sounding board."))
    else:
        messages.error(request, _("Something went wrong. Please try again."))
    return redirect(_page(code, "sounding-board"))
