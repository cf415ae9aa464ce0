"""What the survey app shows on the base's pages (``projects.workflow``): the survey and connection-plan
sections of the dwelling page, the one-visit figures of the project page, and buttons to planning,
slots, plans and the sample. Registered in ``SurveysConfig.ready()``."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from projects import workflow
from projects.workflow import Link


@workflow.dwelling_panel
def survey_section(request, dwelling):
    from surveys.templatetags.survey_tags import survey_panel

    return survey_panel({"request": request}, dwelling)


@workflow.dwelling_panel
def plan_section(request, dwelling):
    from surveys.templatetags.plan_tags import plan_panel

    return plan_panel({"request": request}, dwelling)


@workflow.project_panel
def one_visit_section(request, project):
    """How many homes were surveyed in one visit, and why visits failed (aggregates only)."""
    from surveys.selectors import one_visit_figures

    figures = one_visit_figures(project=project)
    if not figures["surveyed"]:
        return None
    return render_to_string("surveys/_one_visit.html", {"one_visit": figures}, request=request)


@workflow.project_link
def survey_links(user, project) -> list[Link]:
    from surveys.planning.permissions import can_plan_in_project, can_see_slots
    from surveys.plans.permissions import can_make_project_plans
    from surveys.sampling.permissions import can_view_sample

    links = []
    if can_plan_in_project(user, project):
        area = reverse("planning:area", args=[project.slug])
        links.append(Link(_("Plan survey visits"), area, "plan-visits-link", primary=True))
        links.append(
            Link(_("Plan by cluster or street"), area, "plan-visits-link", primary=True, where=("dwellings",))
        )
    if can_see_slots(user, project):
        links.append(Link(_("Open slots"), reverse("planning:slots", args=[project.slug]), "slots-link"))
    if can_make_project_plans(user, project):
        links.append(Link(_("Connection plans"), reverse("plans:project", args=[project.slug]), "plans-link"))
    governance = getattr(project, "governance", None)
    if (
        governance is not None
        and governance.survey_coverage == "selection"
        and can_view_sample(user, project)
    ):
        links.append(
            Link(_("Survey sample"), reverse("sampling:overview", args=[project.slug]), "sample-link")
        )
    return links
