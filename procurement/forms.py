"""Forms of the package pages; each carries the version the user saw, so a stale form changes nothing."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.forms import StyledFormMixin
from projects.models import Dwelling, Organisation, Role
from projects.widgets import DateInput

ANY_DAY = _("Any day of that week.")


class PackageForm(StyledFormMixin, forms.Form):
    """Bundle the agreed dwellings of a cluster or a street that are in no package yet."""

    name = forms.CharField(label=_("Name"), max_length=200)
    cluster = forms.ChoiceField(label=_("Cluster"), required=False)
    street = forms.ChoiceField(label=_("Street"), required=False)
    first_week = forms.DateField(
        label=_("First week"), widget=DateInput, help_text=_("Any day of that week.")
    )
    last_week = forms.DateField(label=_("Last week"), widget=DateInput, help_text=_("Any day of that week."))

    def __init__(self, *args, available, **kwargs):
        """``available``: the agreed dwellings of the project in no open package."""
        super().__init__(*args, **kwargs)
        self.available = available
        clusters = sorted({c for c in available.values_list("cluster", flat=True) if c})
        streets = sorted(set(available.values_list("street", flat=True)))
        self.fields["cluster"].choices = [("", _("— any —")), *((c, c) for c in clusters)]
        self.fields["street"].choices = [("", _("— any —")), *((s, s) for s in streets)]
        monday = timezone.localdate() + datetime.timedelta(days=7 - timezone.localdate().weekday())
        self.fields["first_week"].initial = monday
        self.fields["last_week"].initial = monday + datetime.timedelta(weeks=3)

    def dwelling_ids(self) -> list[int]:
        chosen = self.available
        if self.cleaned_data["cluster"]:
            chosen = chosen.filter(cluster=self.cleaned_data["cluster"])
        if self.cleaned_data["street"]:
            chosen = chosen.filter(street=self.cleaned_data["street"])
        return list(chosen.values_list("pk", flat=True))


class VersionForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class OfferForm(VersionForm):
    installer = forms.ModelChoiceField(label=_("Installer"), queryset=Organisation.objects.none())

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["installer"].queryset = Organisation.objects.filter(
            participations__project=project, participations__role__in=[Role.MAIN_CONTRACTOR, Role.INSTALLER]
        ).distinct()


class ReasonForm(VersionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class HandForm(StyledFormMixin, forms.Form):
    dwellings = forms.ModelMultipleChoiceField(
        label=_("Dwellings"), queryset=Dwelling.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    subcontractor = forms.ModelChoiceField(
        label=_("Subcontractor"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— back to us —"),
    )

    def __init__(self, *args, package, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dwellings"].queryset = Dwelling.objects.filter(
            pk__in=[item.dwelling_id for item in items]
        )
        self.fields["subcontractor"].queryset = Organisation.objects.filter(
            participations__project_id=package.project_id, participations__role=Role.SUBCONTRACTOR
        ).distinct()


class MoveForm(OfferForm):
    """Move dwellings of an accepted package to another installer (none chosen: all of them)."""

    dwellings = forms.ModelMultipleChoiceField(
        label=_("Dwellings"),
        queryset=Dwelling.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None chosen: the whole package."),
    )

    def __init__(self, *args, project, package, items, **kwargs):
        super().__init__(*args, project=project, **kwargs)
        self.fields["installer"].queryset = self.fields["installer"].queryset.exclude(pk=package.installer_id)
        self.fields["dwellings"].queryset = Dwelling.objects.filter(
            pk__in=[item.dwelling_id for item in items]
        )
