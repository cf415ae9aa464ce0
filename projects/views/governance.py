"""Project pages. Thin: scope through selectors, writes through services."""

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import selectors, services, workflow
from projects.advisories import Severity, advise, block_status, governance_of
from projects.forms import GovernanceForm, ParticipationForm, ProjectForm, SubTeamForm
from projects.models import Governance, Participation, Role, SubTeam
from projects.permissions import (
    can_create_project,
    can_edit_governance,
    can_view_project_records,
    works_with_dwellings,
)


def _editable_project(request, slug):
    """The project for an edit page: 404 outside scope, 403 inside scope for non-lead parties."""
    project = selectors.project_get(user=request.user, slug=slug)
    if not can_edit_governance(request.user, project):
        raise PermissionDenied(
            _("Only a coordinator of the lead party changes the governance of this project.")
        )
    return project


@login_required
def project_list(request):
    projects = list(selectors.project_list(user=request.user))
    rows = []
    for project in projects:
        advisories = advise(project)
        rows.append(
            {
                "project": project,
                "leads": [p.organisation for p in project.participations.all() if p.role == Role.LEAD],
                "advisories": advisories,
                "high": sum(1 for a in advisories if a.severity == Severity.HIGH),
                "blocks": block_status(advisories),
            }
        )
    return render(
        request,
        "projects/project_list.html",
        {"rows": rows, "can_create": can_create_project(request.user)},
    )


@login_required
def project_create(request):
    if not can_create_project(request.user):
        raise PermissionDenied(_("Your organisation cannot start projects."))
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = services.project_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Project created. Record its governance choices next."))
        return redirect("projects:governance", slug=project.slug)
    return render(request, "projects/project_form.html", {"form": form})


@login_required
def project_edit(request, slug):
    """Correct the facts of the project: a coordinator of the lead party."""
    project = _editable_project(request, slug)
    form = ProjectForm(request.POST or None, instance=project, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                actor=request.user,
                project=project,
                **{name: form.cleaned_data[name] for name in services.PROJECT_UPDATE_FIELDS},
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(project.get_absolute_url())
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
def project_detail(request, slug):
    project = selectors.project_get(user=request.user, slug=slug)
    governance = governance_of(project)
    participations = list(project.participations.all())
    parties = {}
    for participation in participations:
        entry = parties.setdefault(
            participation.organisation_id, {"organisation": participation.organisation, "roles": []}
        )
        entry["roles"].append(participation)
    blocks = [
        {
            "number": number,
            "title": title,
            "fields": [
                {
                    "label": Governance._meta.get_field(name).verbose_name,
                    "value": _display(governance, name),
                    "is_choice": bool(Governance._meta.get_field(name).choices),
                }
                for name in fields
            ],
        }
        for number, title, fields in Governance.BLOCKS
    ]
    advisories = advise(project)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "governance": governance,
            "parties": list(parties.values()),
            "leads": [p for p in participations if p.role == Role.LEAD],
            "communicating": [p for p in participations if p.role == Role.COMMUNICATING_PARTY],
            "blocks": blocks,
            "advisories": advisories,
            "block_status": block_status(advisories),
            "severity_counts": {
                level: sum(1 for a in advisories if a.severity == level) for level in Severity
            },
            "subteams": project.subteams.all(),
            "can_edit": can_edit_governance(request.user, project),
            "progress": selectors.project_progress(project=project),
            # What other apps show here: their sections and buttons (projects.workflow).
            "sections": workflow.project_sections(request, project),
            "links": workflow.links_on("project", request.user, project),
            "sees_dwellings": works_with_dwellings(request.user, project),
        },
    )


def _display(governance, name):
    value = getattr(governance, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value in ("", None):
        return None
    display = getattr(governance, f"get_{name}_display", None)
    return display() if display else value


@login_required
def governance_edit(request, slug):
    project = _editable_project(request, slug)
    governance = governance_of(project)
    form = GovernanceForm(request.POST or None, request.FILES or None, instance=governance)
    if request.method == "POST" and form.is_valid():
        try:
            services.governance_update(
                actor=request.user,
                project=project,
                version=form.cleaned_data["version"],
                **form.changes(),
            )
        except services.StaleObjectError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Governance saved."))
            return redirect(project)
    return render(request, "projects/governance_form.html", {"project": project, "form": form})


@login_required
def governance_document(request, slug):
    """The signed agreement, for the parties of the project only."""
    project = selectors.project_get(user=request.user, slug=slug)
    if not can_view_project_records(request.user, project):
        raise Http404
    governance = governance_of(project)
    if not governance.agreement_document:
        raise Http404
    return FileResponse(
        governance.agreement_document.open("rb"),
        as_attachment=True,
        filename=governance.agreement_document.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


@login_required
def governance_log(request, slug):
    project = selectors.project_get(user=request.user, slug=slug)
    if not can_view_project_records(request.user, project):
        raise Http404
    entries = selectors.governance_log(project=project)[:200]
    return render(
        request,
        "projects/governance_log.html",
        {"project": project, "entries": entries, "actions": LogEntry.Action},
    )


@login_required
def participation_add(request, slug):
    project = _editable_project(request, slug)
    form = ParticipationForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_add(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Role added."))
            return redirect(project)
    return render(request, "projects/participation_form.html", {"project": project, "form": form})


@login_required
@require_POST
def participation_remove(request, slug, pk):
    project = _editable_project(request, slug)
    participation = get_object_or_404(Participation, pk=pk, project=project)
    try:
        services.participation_remove(actor=request.user, participation=participation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Role removed."))
    return redirect(project)


@login_required
def subteam_edit(request, slug, pk=None):
    project = _editable_project(request, slug)
    subteam = get_object_or_404(SubTeam, pk=pk, project=project) if pk else None
    form = SubTeamForm(request.POST or None, instance=subteam, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.subteam_save(
                actor=request.user,
                project=project,
                subteam=subteam,
                name=form.cleaned_data["name"],
                covers=form.cleaned_data["covers"],
                members=form.cleaned_data["members"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Sub-team saved."))
            return redirect(project)
    return render(
        request,
        "projects/subteam_form.html",
        {"project": project, "form": form, "subteam": subteam},
    )


@login_required
@require_POST
def subteam_delete(request, slug, pk):
    project = _editable_project(request, slug)
    subteam = get_object_or_404(SubTeam, pk=pk, project=project)
    services.subteam_delete(actor=request.user, subteam=subteam)
    messages.success(request, _("Sub-team removed."))
    return redirect(project)
