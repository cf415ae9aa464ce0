"""Forms of the package pages; each carries the version the user saw, so a stale form changes nothing."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement.checklist import WORK_UNITS
from procurement.models import AgreementScope, CertificateKind
from projects.forms import StyledFormMixin
from projects.models import Dwelling, Organisation, OrganisationKind, Role
from projects.widgets import DateInput
from surveys.schema import WORKS

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


class TenderForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    scope = forms.ChoiceField(
        label=_("Scope"), choices=AgreementScope.choices, initial=AgreementScope.INSTALLATION
    )
    deadline = forms.DateField(label=_("Bids until"), widget=DateInput)
    installers = forms.ModelMultipleChoiceField(
        label=_("Invite installers"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Installers that work in the project's municipality, and those in the project already."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, project, **kwargs):
        from procurement.services.tenders import invitable

        super().__init__(*args, **kwargs)
        self.fields["installers"].queryset = invitable(project).order_by("name")


class BidForm(StyledFormMixin, forms.Form):
    """A price per kind of work (empty: not offered), and a note."""

    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in WORKS:
            self.fields[f"price_{code}"] = forms.DecimalField(
                label=f"{label} ({WORK_UNITS[code]})",
                required=False,
                min_value=0,
                decimal_places=2,
                max_digits=10,
                localize=True,
            )
        self.order_fields([f"price_{code}" for code, _label in WORKS] + ["note"])

    def prices(self) -> dict:
        return {
            code: str(self.cleaned_data[f"price_{code}"])
            for code, _label in WORKS
            if self.cleaned_data.get(f"price_{code}") is not None
        }


class AwardForm(StyledFormMixin, forms.Form):
    bid = forms.ModelChoiceField(label=_("Bid"), queryset=None)
    starts_on = forms.DateField(label=_("Agreement starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Agreement ends on"), widget=DateInput)

    def __init__(self, *args, tender, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bid"].queryset = tender.bids.select_related("installer")
        self.fields["bid"].label_from_instance = lambda bid: str(bid.installer)


class ProjectSettingsForm(StyledFormMixin, forms.Form):
    """The installation budget and margin, and the checklist items this project does not require."""

    budget = forms.DecimalField(
        label=_("Budget (€)"), required=False, min_value=0, max_digits=14, decimal_places=2, localize=True
    )
    overrun_margin = forms.IntegerField(label=_("Overrun margin (%)"), min_value=0, max_value=100)
    optional_items = forms.MultipleChoiceField(
        label=_("Items this project does not require"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the heat company needs for its register is always required and not listed."),
    )

    def __init__(self, *args, **kwargs):
        from procurement import checklist

        super().__init__(*args, **kwargs)
        self.fields["optional_items"].choices = [
            (key, checklist.describe(key))
            for key in checklist.default_required()
            if key not in checklist.LOCKED
        ]


class AgreementForm(StyledFormMixin, forms.ModelForm):
    """A framework agreement of the user's organisation, with a unit rate per kind of work."""

    required_certificates = forms.MultipleChoiceField(
        label=_("Required certificates"),
        choices=CertificateKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        from procurement.models import FrameworkAgreement

        model = FrameworkAgreement
        fields = [
            "reference",
            "installer",
            "scope",
            "starts_on",
            "ends_on",
            "max_volume",
            "required_certificates",
            "status",
            "terminated_on",
        ]
        widgets = {"starts_on": DateInput, "ends_on": DateInput, "terminated_on": DateInput}

    def __init__(self, *args, rates=None, organisation_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["installer"].queryset = known_installers(organisation_id).order_by("name")
        for code, label in WORKS:
            self.fields[f"rate_{code}"] = forms.DecimalField(
                label=_("Rate: %(work)s") % {"work": label},
                required=False,
                min_value=0,
                max_digits=10,
                decimal_places=2,
                localize=True,
                initial=(rates or {}).get(code),
            )

    def rates(self) -> dict:
        return {
            code: self.cleaned_data[f"rate_{code}"]
            for code, _label in WORKS
            if self.cleaned_data.get(f"rate_{code}") is not None
        }


class PoolForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        from procurement.models import Pool

        model = Pool
        fields = ["name", "description", "agreements"]
        widgets = {"agreements": forms.CheckboxSelectMultiple}

    def __init__(self, *args, organisation_id, **kwargs):
        from procurement.models import FrameworkAgreement

        super().__init__(*args, **kwargs)
        self.fields["agreements"].queryset = FrameworkAgreement.objects.filter(
            contracting_party_id=organisation_id, project__isnull=True
        ).select_related("installer")


class ProjectPoolForm(StyledFormMixin, forms.Form):
    pool = forms.ModelChoiceField(label=_("Pool"), queryset=None, required=False)
    main_contractor = forms.ModelChoiceField(
        label=_("Main contractor"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("An installer with an active installation agreement in the pool."),
    )

    def __init__(self, *args, project, **kwargs):
        from procurement.models import Pool

        super().__init__(*args, **kwargs)
        owners = project.participations.values("organisation_id")
        pools = Pool.objects.filter(owner_id__in=owners)
        self.fields["pool"].queryset = pools.order_by("name")
        self.fields["main_contractor"].queryset = (
            Organisation.objects.filter(agreements__pools__in=pools).distinct().order_by("name")
        )


def known_installers(organisation_id):
    """The installers an organisation knows: those in the projects it takes part in, and those it has
    agreements with. Another organisation's installers stay out of its lists."""
    from django.db.models import Q

    from projects.models import Participation

    projects = Participation.objects.filter(organisation_id=organisation_id).values("project_id")
    return (
        Organisation.objects.filter(kind=OrganisationKind.INSTALLER)
        .filter(
            Q(participations__project_id__in=projects) | Q(agreements__contracting_party_id=organisation_id)
        )
        .distinct()
    )
