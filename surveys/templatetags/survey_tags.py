"""The survey panel on the dwelling page, and the numbers of the survey in pages and inputs."""

from django import template
from django.template.loader import render_to_string
from django.utils import formats

from projects.permissions import dwelling_relations
from surveys.selectors import survey_view, survey_with_photos
from surveys.services import EDITABLE_STATES, stored_number

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


def _whole(number):
    """4.0 as 4: a whole number reads the same in an input and on a page."""
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


@register.filter
def number_input(value) -> str:
    """A stored number answer as an ``<input type="number">`` reads it back: ASCII digits and a point,
    never the page's language ("10,5" reads back as an empty field). Empty when there is no number."""
    number = stored_number(value)
    return "" if number is None else str(_whole(number))


@register.filter
def number_unreadable(value) -> bool:
    """Whether a stored number answer is there but is no number (only answers stored long ago)."""
    return value not in (None, "") and stored_number(value) is None


@register.filter
def number_display(value) -> str:
    """A stored number answer as a page shows it, in the page's language: 10,5 in Dutch, 10.5 in English."""
    number = stored_number(value)
    if number is None:
        return "" if value is None else str(value)
    return formats.number_format(_whole(number), use_l10n=True)
