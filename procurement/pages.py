"""What procurement shows on the base's pages (``projects.workflow``): buttons to the work packages and the
installations, and on a dwelling's page the way to its commissioning checklist."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from projects import workflow
from projects.workflow import Link


@workflow.project_link
def package_links(user, project) -> list[Link]:
    from procurement.permissions import can_manage_packages, can_see_costs
    from procurement.selectors import can_see_packages

    links = []
    if can_see_packages(user, project):
        url = reverse("packages:list", args=[project.slug])
        links.append(Link(_("Work packages"), url, "packages-link", where=("project", "dwellings")))
    if can_manage_packages(user, project) and _ad_hoc(project):
        links.append(Link(_("Tender"), reverse("tenders:create", args=[project.slug]), "tender-link"))
    elif can_manage_packages(user, project):
        url = reverse("agreements:project", args=[project.slug])
        links.append(Link(_("Pool and main contractor"), url, "pool-link"))
    if can_see_costs(user, project):
        url = reverse("installations:project", args=[project.slug])
        links.append(Link(_("Installations and costs"), url, "installations-link"))
    return links


@workflow.project_panel
def costs_panel(request, project) -> str | None:
    """Budget, estimate and actual of the installation, for the lead party and the heat company."""
    from procurement.costs import project_costs
    from procurement.models import ProjectProcurement
    from procurement.permissions import can_see_costs

    if (
        not can_see_costs(request.user, project)
        or not ProjectProcurement.objects.filter(project=project).exists()
    ):
        return None
    figures = project_costs(project)
    return render_to_string(
        "procurement/_costs_panel.html", {"costs": figures, "project": project}, request=request
    )


def _ad_hoc(project) -> bool:
    from procurement.rules import route_of
    from projects.models import Procurement

    return route_of(project) == Procurement.AD_HOC


CHECKLIST_STATES = ("assigned", "installation_planned", "installed", "connected")


@workflow.dwelling_panel
def checklist_panel(request, dwelling) -> str | None:
    from procurement.permissions import can_see_evidence
    from projects.permissions import can_report_installed

    if dwelling.state not in CHECKLIST_STATES or not can_see_evidence(request.user, dwelling):
        return None
    fills = dwelling.state in CHECKLIST_STATES[:2] and can_report_installed(request.user, dwelling)
    label = _("Fill in the commissioning checklist") if fills else _("The installation evidence")
    return format_html(
        '<p class="mb-3"><a class="btn btn-outline-heat" id="checklist-link" href="{}">{}</a></p>',
        reverse("installations:completion", args=[dwelling.pk]),
        label,
    )
