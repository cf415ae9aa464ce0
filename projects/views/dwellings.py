"""Dwelling pages: the register list, one dwelling with its moves and timeline, bulk moves, jobs."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import history, selectors, services, workflow
from projects.filters import DwellingFilter
from projects.forms import BulkMoveForm, DwellingForm, TransitionForm
from projects.jobs import JobKind
from projects.models import Job
from projects.permissions import (
    can_manage_register,
    can_search_people,
    can_see_access_contact,
    can_see_contacts,
    can_see_extra_care_note,
    can_view_history,
    works_with_dwellings,
)
from projects.services.dwellings import available_transitions, waiting_for
from projects.states import DwellingState
from projects.timeline import timeline
from projects.views import jobs
from projects.workflow import MOVES

PAGE_SIZE = 50


def add_errors(form, exc: ValidationError) -> None:
    """Put a service's validation errors on the form fields they concern, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _project_for_dwellings(request, slug):
    """The project, if the user's organisation works at dwelling level in it; 404 otherwise.

    Municipalities, grid operators and water companies see progress in aggregate only.
    """
    project = selectors.project_get(user=request.user, slug=slug)
    if not works_with_dwellings(request.user, project):
        raise Http404
    return project


def _filtered(request, project):
    base = selectors.dwelling_list(
        user=request.user, project=project, sort=request.GET.get("sort", "address")
    )
    # The list holds this project's dwellings only: who may search its people searches every one of
    # the list's (None), which spares the search a join to tell each person's project.
    people = None if can_search_people(request.user, project) else []
    return DwellingFilter(request.GET or None, queryset=base, people_projects=people)


@login_required
def dwelling_list(request, slug):
    project = _project_for_dwellings(request, slug)
    dwelling_filter = _filtered(request, project)
    queryset = dwelling_filter.qs
    counts = selectors.state_counts(queryset)
    paginator = Paginator(queryset, PAGE_SIZE)
    paginator.count = sum(counts.values())  # the counts per state already add up to it: one scan less
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/dwelling_list.html",
        {
            "project": project,
            "filter": dwelling_filter,
            "page": page,
            "state_counts": [(state, counts.get(state.value, 0)) for state in DwellingState],
            "total": sum(counts.values()),
            "query": query.urlencode(),
            "sort": request.GET.get("sort", "address"),
            "can_bulk": can_manage_register(request.user, project),
            "links": workflow.links_on("dwellings", request.user, project),
        },
    )


def _detail_context(request, project, dwelling, forms=None):
    moves = available_transitions(request.user, dwelling)
    forms = forms or {}
    actions = [
        forms.get(move.name)
        or TransitionForm(move=move, dwelling=dwelling, actor=request.user, prefix=move.name)
        for move in moves
    ]
    contacts = list(dwelling.contacts.all())
    return {
        "project": project,
        "dwelling": dwelling,
        "actions": actions,
        "waiting_for": waiting_for(request.user, dwelling),
        "sections": workflow.dwelling_sections(request, dwelling),
        "timeline": timeline(dwelling, request.user),
        "contacts": contacts,
        "see_contacts": can_see_contacts(request.user, dwelling),
        "see_access_contact": can_see_access_contact(request.user, dwelling),
        "see_care_note": can_see_extra_care_note(request.user, dwelling),
        "can_edit": can_manage_register(request.user, project),
        "can_view_history": can_view_history(request.user, dwelling),
        "can_open_agreement": bool(dwelling.agreement_document) and can_see_contacts(request.user, dwelling),
        "main_path": [state for state in DwellingState if state not in ("declined", "on_hold", "withdrawn")],
    }


@login_required
def dwelling_detail(request, slug, pk):
    project = _project_for_dwellings(request, slug)
    dwelling = selectors.dwelling_get(user=request.user, project=project, pk=pk)
    return render(request, "projects/dwelling_detail.html", _detail_context(request, project, dwelling))


@login_required
@require_POST
def dwelling_move(request, slug, pk, transition):
    project = _project_for_dwellings(request, slug)
    dwelling = selectors.dwelling_get(user=request.user, project=project, pk=pk)
    spec = MOVES.get(transition)
    if spec is None:
        raise Http404
    form = TransitionForm(
        request.POST, request.FILES, move=spec, dwelling=dwelling, actor=request.user, prefix=spec.name
    )
    if form.is_valid():
        try:
            services.dwelling_transition(
                actor=request.user,
                dwelling_id=dwelling.pk,
                transition=spec.name,
                expected_state=form.cleaned_data["expected_state"],
                reason=form.cleaned_data["reason"],
                **form.params(),
            )
        except services.DwellingChanged as exc:
            messages.warning(request, str(exc))
            return redirect("projects:dwelling", slug=slug, pk=pk)
        except (PermissionDenied, services.TransitionRefused) as exc:
            messages.error(request, str(exc))
            return redirect("projects:dwelling", slug=slug, pk=pk)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Done: %(move)s.") % {"move": spec.label})
            return redirect("projects:dwelling", slug=slug, pk=pk)
    dwelling.refresh_from_db()
    context = _detail_context(request, project, dwelling, forms={spec.name: form})
    return render(request, "projects/dwelling_detail.html", context, status=400)


@login_required
def dwelling_edit(request, slug, pk=None):
    project = _project_for_dwellings(request, slug)
    if not can_manage_register(request.user, project):
        raise PermissionDenied(_("Only a coordinator of the lead party keeps the dwelling register."))
    dwelling = selectors.dwelling_get(user=request.user, project=project, pk=pk) if pk else None
    form = DwellingForm(request.POST or None, instance=dwelling, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.dwelling_save(
                actor=request.user,
                project=project,
                dwelling=dwelling,
                fields=form.register_fields(),
                contacts=form.contacts(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Dwelling saved."))
            return redirect("projects:dwelling", slug=slug, pk=saved.pk)
    return render(
        request, "projects/dwelling_form.html", {"project": project, "form": form, "dwelling": dwelling}
    )


@login_required
def dwelling_agreement(request, slug, pk):
    """The signed agreement: for the parties that may see the dwelling's people, nobody else."""
    project = _project_for_dwellings(request, slug)
    dwelling = selectors.dwelling_get(user=request.user, project=project, pk=pk)
    if not dwelling.agreement_document or not can_see_contacts(request.user, dwelling):
        raise Http404
    return FileResponse(
        dwelling.agreement_document.open("rb"),
        as_attachment=True,
        filename=dwelling.agreement_document.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


# Selections up to this size move at once; larger ones run as a background job with a progress bar.
BULK_INLINE_LIMIT = 200


@login_required
def dwelling_bulk(request, slug):
    project = _project_for_dwellings(request, slug)
    if not can_manage_register(request.user, project):
        raise PermissionDenied(_("Only a coordinator of the lead party moves many dwellings at once."))
    dwelling_filter = _filtered(request, project)
    selection = dwelling_filter.qs
    count = selection.count()
    form = BulkMoveForm(request.POST or None, project=project, initial={"confirm_count": count})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirm_count"] != count:
            form.add_error(
                None,
                _("The selection changed meanwhile (now %(count)d dwellings). Check it and confirm again.")
                % {"count": count},
            )
        else:
            params = (
                {"installer": form.cleaned_data["installer"].pk} if form.cleaned_data["installer"] else {}
            )
            ids = list(selection.order_by("pk").values_list("pk", flat=True))
            job = Job.objects.create(
                project=project,
                kind=Job.Kind.BULK_TRANSITION,
                created_by=request.user,
                total=len(ids),
                params={
                    "transition": form.cleaned_data["transition"],
                    "reason": form.cleaned_data["reason"],
                    "dwelling_ids": ids,
                    **params,
                },
            )
            from projects.tasks import dwellings_bulk_transition_task

            # The task claims the job (projects/jobs.py), so running it here and a redelivery agree.
            if count <= BULK_INLINE_LIMIT or settings.CELERY_TASK_ALWAYS_EAGER:
                dwellings_bulk_transition_task.apply(args=[job.pk])
            else:
                transaction.on_commit(lambda: dwellings_bulk_transition_task.delay(job.pk))
            return redirect("projects:job", slug=slug, job_id=job.pk)
    return render(
        request,
        "projects/dwelling_bulk.html",
        {
            "project": project,
            "filter": dwelling_filter,
            "form": form,
            "count": count,
            "query": request.GET.urlencode(),
        },
    )


def _bulk_jobs(user, project):
    """The bulk moves of the project: for whoever may move many dwellings at once."""
    if not can_manage_register(user, project):
        return Job.objects.none()
    return Job.objects.filter(project=project, kind=Job.Kind.BULK_TRANSITION).select_related("created_by")


BULK_JOBS = JobKind(
    jobs=_bulk_jobs,
    template="projects/job_detail.html",
    url_name="projects:job",
    task="projects.tasks.dwellings_bulk_transition_task",
    summary=lambda job: {
        "moved": job.result.get("moved", 0),
        "skipped": len(job.result.get("skipped", [])),
    },
)


def job_detail(request, slug, job_id):
    return jobs.job_page(request, slug, job_id, kind=Job.Kind.BULK_TRANSITION)


def job_status(request, slug, job_id):
    return jobs.job_status(request, slug, job_id, kind=Job.Kind.BULK_TRANSITION)


def _history_dwelling(request, slug, pk):
    project = _project_for_dwellings(request, slug)
    dwelling = selectors.dwelling_get(user=request.user, project=project, pk=pk)
    if not can_view_history(request.user, dwelling):
        raise Http404
    return project, dwelling


HISTORY_PAGE_SIZE = 100


def _history_page(request, project, dwelling, entries, contacts, person=None):
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/dwelling_history.html",
        {
            "project": project,
            "dwelling": dwelling,
            "page": page,
            "rows": history.history_rows(page),
            "contacts": contacts,
            "person": person,
        },
    )


@login_required
def dwelling_history(request, slug, pk):
    """Who changed which data of the home, its people and its survey, and when: the lead party."""
    project, dwelling = _history_dwelling(request, slug, pk)
    contacts = list(dwelling.contacts.all())
    return _history_page(request, project, dwelling, history.history_for_dwelling(dwelling.pk), contacts)


@login_required
def contact_history(request, slug, pk, contact_pk):
    """The history of one person of the home: name, e-mail, phone, channel, language."""
    project, dwelling = _history_dwelling(request, slug, pk)
    contacts = list(dwelling.contacts.all())
    person = next((contact for contact in contacts if contact.pk == contact_pk), None)
    if person is None:
        raise Http404
    return _history_page(request, project, dwelling, history.history_for_object(person), contacts, person)
