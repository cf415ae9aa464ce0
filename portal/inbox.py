"""The parties' side of the portal: the inbox of residents' questions and aftercare reports (assign,
answer, close), and replacing a person's link. Outside the user's scope a question does not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.models import Question, QuestionKind, QuestionStatus
from portal.permissions import can_manage_links, questions_visible_to
from portal.services import questions as services
from portal.services.renewal import link_send_new
from projects.models import Contact, User
from projects.permissions import dwellings_visible_to


def _question(request, pk) -> Question:
    return get_object_or_404(
        questions_visible_to(request.user).select_related(
            "project", "dwelling", "contact", "assigned_to", "addressed_to"
        ),
        pk=pk,
    )


@require_GET
@login_required
def inbox(request):
    rows = questions_visible_to(request.user).select_related("project", "dwelling", "contact", "assigned_to")
    status = request.GET.get("status", "waiting")
    kind = request.GET.get("kind", "")
    if status == "waiting":
        rows = rows.exclude(status=QuestionStatus.CLOSED)
    elif status in QuestionStatus.values:
        rows = rows.filter(status=status)
    if kind in QuestionKind.values:
        rows = rows.filter(kind=kind)
    if request.GET.get("mine"):
        rows = rows.filter(assigned_to=request.user)
    project = request.GET.get("project", "")
    if project:
        rows = rows.filter(project__slug=project)
    counts = questions_visible_to(request.user).aggregate(
        open=Count("pk", filter=Q(status=QuestionStatus.OPEN)),
        answered=Count("pk", filter=Q(status=QuestionStatus.ANSWERED)),
    )
    return render(
        request,
        "portal/inbox.html",
        {
            "rows": rows.order_by("status", "created_at", "pk")[:200],
            "status": status,
            "kind": kind,
            "project": project,
            "counts": counts,
            "statuses": QuestionStatus.choices,
            "kinds": QuestionKind.choices,
        },
    )


@login_required
def question(request, pk):
    found = _question(request, pk)
    if request.method == "POST":
        action = request.POST.get("action", "answer")
        try:
            if action == "answer":
                services.question_answer(
                    actor=request.user,
                    question_id=found.pk,
                    text=request.POST.get("text", ""),
                    to_resident=request.POST.get("internal") != "on",
                    close=request.POST.get("close") == "on",
                )
                messages.success(request, _("Your answer is saved and sent to the resident."))
            elif action == "assign":
                services.question_assign(
                    actor=request.user, question_id=found.pk, assignee_id=request.POST.get("assigned_to")
                )
                messages.success(request, _("Assigned."))
            elif action in ("close", "reopen"):
                services.question_close(actor=request.user, question_id=found.pk, reopen=action == "reopen")
                messages.success(request, _("Closed.") if action == "close" else _("Reopened."))
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as error:
            texts = error.message_dict.values() if hasattr(error, "message_dict") else [error.messages]
            messages.error(request, " ".join(str(m) for group in texts for m in group))
            return render(
                request,
                "portal/question.html",
                _detail(request, found, text=request.POST.get("text", "")),
                status=400,
            )
        return redirect("inbox:question", pk=found.pk)
    return render(request, "portal/question.html", _detail(request, found))


def _detail(request, found, text=""):
    colleagues = User.objects.filter(organisation_id=found.addressed_to_id, is_active=True).order_by(
        "first_name", "last_name", "pk"
    )
    return {
        "question": found,
        "replies": found.replies.select_related("author").order_by("created_at", "pk"),
        "colleagues": colleagues,
        "text": text,
    }


@require_GET
@login_required
def question_photo(request, pk):
    found = _question(request, pk)
    if not found.photo:
        raise Http404
    return FileResponse(found.photo.open("rb"))


@require_POST
@login_required
def new_link(request, pk):
    """Revoke the person's links and send a new one (a letter lost, a link passed on)."""
    contact = get_object_or_404(
        Contact.objects.filter(dwelling__in=dwellings_visible_to(request.user)).select_related(
            "dwelling__project"
        ),
        pk=pk,
    )
    if not can_manage_links(request.user, contact.dwelling):
        raise Http404
    try:
        revoked = link_send_new(actor=request.user, contact=contact)
    except PermissionDenied:
        raise Http404 from None
    messages.success(
        request,
        _("%(count)d old link(s) no longer work. A new link is on its way to %(name)s.")
        % {"count": revoked, "name": contact.name},
    )
    return redirect("projects:dwelling", contact.dwelling.project.slug, contact.dwelling_id)
