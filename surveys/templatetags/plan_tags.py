"""The connection-plan panel on the dwelling page."""

from django import template
from django.template.loader import render_to_string

from surveys.plans.permissions import can_make_plans, can_make_project_plans, plan_variants_for
from surveys.plans.selectors import plan_list
from surveys.plans.services import VARIANT_TITLES, plans_pending

register = template.Library()


@register.simple_tag(takes_context=True)
def plan_panel(context, dwelling):
    """The versions this viewer may open, newest first, and the button to make the plan now.

    Nothing for a viewer who may open no version, nor before the survey is recorded when there is no
    plan yet. A fixed number of queries, however many versions there are.
    """
    request = context.get("request")
    if request is None or not plan_variants_for(request.user, dwelling):
        return ""
    plans = list(plan_list(user=request.user, dwelling=dwelling))
    if not plans and dwelling.survey_completed_at is None:
        return ""
    for plan in plans:
        plan.title = VARIANT_TITLES[plan.variant]
    can_make = can_make_plans(request.user, dwelling)
    return render_to_string(
        "surveys/plans/panel.html",
        {
            "dwelling": dwelling,
            "plans": plans,
            "pending": plans_pending(dwelling),
            "can_make": can_make and dwelling.survey_completed_at is not None,
            "can_batch": can_make and can_make_project_plans(request.user, dwelling.project),
        },
        request=request,
    )
