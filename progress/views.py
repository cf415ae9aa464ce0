"""The dashboards: one project, the municipality's projects, a lead party's or heat company's
programme. Thin: the scope decides the projects and the viewer, ``figures.dashboard`` counts,
``presentation`` draws."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from progress import presentation, scopes
from progress.figures import dashboard


def _render(request, projects, viewer, *, kind: str):
    board = dashboard(projects, viewer)
    return render(
        request,
        "progress/dashboard.html",
        {
            "board": board,
            "kind": kind,
            "project": projects[0] if kind == "project" else None,
            "charts": presentation.draw(board),
            "available": scopes.available(request.user),
        },
    )


@require_GET
@login_required
def project_dashboard(request, slug):
    projects, viewer = scopes.project_scope(request.user, slug)
    return _render(request, projects, viewer, kind="project")


@require_GET
@login_required
def scope_dashboard(request, scope):
    if scope not in scopes.SCOPES:
        raise Http404
    projects, viewer = scopes.SCOPES[scope](request.user)
    return _render(request, projects, viewer, kind=scope)


@require_GET
@login_required
def index(request):
    """The first dashboard this person has: the programme, else the municipality's; else their list of
    projects (each project's page links to its own dashboard)."""
    found = scopes.available(request.user)
    if not found:
        return redirect("projects:list")
    return redirect("progress:scope", scope=found[0])
