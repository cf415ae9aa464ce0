"""The survey panel on the dwelling page."""

from django import template
from django.template.loader import render_to_string

from projects.permissions import dwelling_relations
from surveys.selectors import survey_view, survey_with_photos
from surveys.services import EDITABLE_STATES

register = template.Library()


@register.simple_tag(takes_context=True)
def survey_panel(context, dwelling):
    """For the surveyor a big button into the survey form and how complete it is; for every other
    party that may see the dwelling a read-only summary of what it may read (an installer never gets
    the kitchen-table talk). Two queries: the survey and its photos."""
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    if user is None or not dwelling_relations(user, dwelling):
        return ""
    may_fill = bool(dwelling_relations(user, dwelling) & {"surveyor", "admin"}) and (
        dwelling.state in EDITABLE_STATES
    )
    view = survey_view(user=user, dwelling=dwelling, survey=survey_with_photos(dwelling))
    return render_to_string(
        "surveys/_panel.html",
        {"dwelling": dwelling, "view": view, "may_fill": may_fill},
        request=request,
    )
