"""Forms of the planning pages. They collect the choices; the services do the checking."""

import datetime

from django import forms
from django.conf import settings
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from projects.forms import DateInput, StyledFormMixin
from surveys.models import SurveySlot

from . import services


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class SurveyorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        label = _("%(user)s (in the field)") % {"user": user} if user.in_field_only else str(user)
        if user.visits_per_day:
            label += " · " + ngettext(
                "%(count)d visit a day", "%(count)d visits a day", user.visits_per_day
            ) % {"count": user.visits_per_day}
        return label


def _next_working_day() -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday() not in services.WORKING_DAYS:
        day += datetime.timedelta(days=1)
    return day


class _DayPlanFields(StyledFormMixin, forms.Form):
    """The choices of a planned day, shared by area planning and slots."""

    surveyors = SurveyorChoiceField(label=_("Surveyors"), queryset=None, widget=forms.CheckboxSelectMultiple)
    first_day = forms.DateField(label=_("First day"), widget=DateInput())
    start_time = forms.TimeField(label=_("Day starts at"), widget=TimeInput(), initial=services.DAY_START)
    end_time = forms.TimeField(label=_("Last visit ends by"), widget=TimeInput(), initial=services.DAY_END)
    visit_minutes = forms.IntegerField(
        label=_("Minutes per visit"),
        min_value=services.MIN_VISIT_MINUTES,
        max_value=services.MAX_VISIT_MINUTES,
        initial=services.SURVEY_VISIT_MINUTES,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=sorted(WEEKDAYS.items()),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=list(services.WORKING_DAYS),
    )

    def __init__(self, *args, surveyors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["surveyors"].queryset = surveyors
        self.fields["first_day"].initial = _next_working_day()


class AreaPlanForm(_DayPlanFields):
    """Plan the waiting dwellings of some clusters or streets."""

    clusters = forms.MultipleChoiceField(
        label=_("Clusters"), required=False, widget=forms.CheckboxSelectMultiple
    )
    streets = forms.MultipleChoiceField(
        label=_("Streets"), required=False, widget=forms.CheckboxSelectMultiple
    )

    field_order = ["clusters", "streets"]

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clusters"].choices = [(name, name) for name, _count in groups.clusters]
        self.fields["streets"].choices = [(name, name) for name, _count in groups.streets]

    def clean(self):
        data = super().clean()
        if not data.get("clusters") and not data.get("streets") and not self.has_error("clusters"):
            self.add_error("clusters", _("Choose at least one cluster or street."))
        return data


class SlotCreateForm(_DayPlanFields):
    last_day = forms.DateField(label=_("Last day"), widget=DateInput())
    published = forms.BooleanField(label=_("Publish right away (residents can choose them)"), required=False)

    field_order = ["surveyors", "first_day", "last_day"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["last_day"].initial = self.fields["first_day"].initial + datetime.timedelta(days=4)
        self.fields["published"].widget.attrs["class"] = "form-check-input"
        # A full day of slots by default: as many as a surveyor may have, no more.
        minutes = services.DAY_START.hour * 60 + services.DAY_START.minute
        minutes += services.SURVEY_VISIT_MINUTES * settings.SURVEY_VISITS_PER_DAY
        if minutes < 24 * 60:
            self.fields["end_time"].initial = min(
                datetime.time(minutes // 60, minutes % 60), services.DAY_END
            )


def _slot_label(slot) -> str:
    when = formats.date_format(timezone.localtime(slot.starts_at), "SHORT_DATETIME_FORMAT")
    return f"{when} · {slot.surveyor}"


class SlotBookForm(StyledFormMixin, forms.Form):
    """Book an open slot for a dwelling that waits for a visit."""

    slot = forms.ModelChoiceField(label=_("Time"), queryset=SurveySlot.objects.none())
    dwelling = forms.ModelChoiceField(label=_("Dwelling"), queryset=None)

    def __init__(self, *args, slots, dwellings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = slots
        self.fields["slot"].label_from_instance = _slot_label
        self.fields["dwelling"].queryset = dwellings
