"""Dwellings: the register data and people through ``dwelling_save``; the state and what the moves record
are read-only (a dwelling moves on its own page)."""

from django import forms
from django.contrib import admin
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.admin.base import (
    ProjectScopedAdminMixin,
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    ScopedAdminMixin,
    ServiceAdminMixin,
)
from projects.forms import DwellingForm
from projects.models import Channel, Contact, ContactRole, Dwelling, DwellingTransition, Job
from projects.permissions import (
    can_see_contacts,
    can_see_extra_care_note,
    dwellings_visible_to,
    projects_coordinated_by,
)
from projects.services import REGISTER_FIELDS, dwelling_save

CONTACT_FORM_FIELDS = ("name", "email", "phone", "preferred_channel")


class DwellingAdminForm(forms.ModelForm):
    """The register data of a dwelling and its owner and resident, as on the dwelling's edit page."""

    owner_name = forms.CharField(label=_("Owner: name"), required=False, max_length=120)
    owner_email = forms.EmailField(label=_("Owner: e-mail"), required=False)
    owner_phone = forms.CharField(label=_("Owner: phone"), required=False, max_length=32)
    owner_preferred_channel = forms.ChoiceField(
        label=_("Owner: preferred channel"), choices=Channel.choices, initial=Channel.EMAIL
    )
    resident_name = forms.CharField(
        label=_("Resident: name"),
        required=False,
        max_length=120,
        help_text=_("Leave empty when the owner lives there."),
    )
    resident_email = forms.EmailField(label=_("Resident: e-mail"), required=False)
    resident_phone = forms.CharField(label=_("Resident: phone"), required=False, max_length=32)
    resident_preferred_channel = forms.ChoiceField(
        label=_("Resident: preferred channel"), choices=Channel.choices, initial=Channel.EMAIL
    )

    class Meta:
        model = Dwelling
        fields = ["project", *REGISTER_FIELDS]
        # As on the page: "1.000" is refused, not taken for 1.
        field_classes = DwellingForm.Meta.field_classes

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for contact in self.instance.contacts.all() if self.instance.pk else []:
            for name in CONTACT_FORM_FIELDS:
                field = self.fields.get(f"{contact.role}_{name}")
                if field is not None:
                    field.initial = getattr(contact, name)

    # The page's normalisation: "1234ab" is stored as "1234 AB".
    clean_postcode = DwellingForm.clean_postcode

    def register_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in REGISTER_FIELDS if name in self.cleaned_data}

    def contacts(self, dwelling: Dwelling | None) -> dict:
        """The people whose data changed, as ``dwelling_save`` takes them (an empty name removes one)."""
        existing = {c.role: c for c in dwelling.contacts.all()} if dwelling is not None else {}
        contacts = {}
        for role in ContactRole.values:
            names = [f"{role}_{name}" for name in CONTACT_FORM_FIELDS]
            if not any(name in self.changed_data for name in names if name in self.fields):
                continue
            data = {name: self.cleaned_data.get(f"{role}_{name}") for name in CONTACT_FORM_FIELDS}
            if not data["name"]:
                contacts[role] = None
                continue
            current = existing.get(role)
            if current is not None:
                data["language"] = current.language  # not on the form: keep it
            contacts[role] = data
        return contacts


class ContactInline(ReadOnlyInlineMixin, admin.TabularInline):
    """The owner and resident, for those who may see them but not change the register."""

    model = Contact
    fields = ["role", "name", "email", "phone", "preferred_channel", "language"]
    readonly_fields = fields


class TransitionInline(ReadOnlyInlineMixin, admin.TabularInline):
    """The log is read-only: a dwelling moves through the service, never by editing its state."""

    model = DwellingTransition
    readonly_fields = ["at", "transition", "source", "target", "actor", "organisation", "reason"]
    fields = readonly_fields


ADDRESS_FIELDS = [
    "postcode",
    "house_number",
    "house_letter",
    "house_number_addition",
    "street",
    "city",
    "bag_id",
]
BUILDING_FIELDS = [name for name in REGISTER_FIELDS if name not in ADDRESS_FIELDS]
# Written by the moves of the dwelling (and the survey, the sample): never by a form.
STATE_FIELDS = ["page_link", "state", "held_state", "state_reason", "state_changed_at"]
SURVEY_FIELDS = [
    "survey_party",
    "surveyor",
    "survey_appointment_at",
    "in_sample",
    "visit_count",
    "survey_completed_at",
    "plan_approved_at",
]
AGREEMENT_FIELDS = [
    "signatory",
    "signatory_name",
    "agreement_signed_on",
    "agreement_link",
    "owners_association_consent_on",
    "tenant_supports",
]
INSTALLATION_FIELDS = ["installer", "installation_planned_on", "installed_on", "connected_on"]
DWELLING_READONLY_FIELDS = [
    "project",
    *STATE_FIELDS,
    *SURVEY_FIELDS,
    *AGREEMENT_FIELDS,
    *INSTALLATION_FIELDS,
    "created_at",
    "updated_at",
]


@admin.register(Dwelling)
class DwellingAdmin(ServiceAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The register data and people of a dwelling are saved with ``dwelling_save``, as on its edit page.
    Its state and what its moves record (survey party, surveyor, agreement, installer, dates) are read-only:
    the dwelling page makes the moves, with their checks and their log."""

    form = DwellingAdminForm
    list_display = ["__str__", "postcode", "project", "cluster", "ownership", "state"]
    list_filter = ["state", "ownership", "dwelling_type", "extra_care"]
    search_fields = ["street", "postcode", "city", "bag_id", "cluster"]
    list_select_related = ["project"]
    inlines = [ContactInline, TransitionInline]

    def scope(self, request):
        return dwellings_visible_to(request.user)

    def _editable(self, request, obj):
        return obj is None or projects_coordinated_by(request.user).filter(pk=obj.project_id).exists()

    def has_add_permission(self, request):
        return super().has_add_permission(request) and projects_coordinated_by(request.user).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        # There is no service to delete a dwelling (one that leaves the project is withdrawn, on its page):
        # a platform superuser removes one registered by mistake, with its history.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def _may_edit(self, request, obj) -> bool:
        return self.has_add_permission(request) if obj is None else self.has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        building = list(BUILDING_FIELDS)
        if obj is not None and not can_see_extra_care_note(request.user, obj):
            # A note that the user may not read is not shown at all, not even read-only.
            building.remove("extra_care_note")
        fieldsets = [
            (_("Address"), {"fields": ["project", *ADDRESS_FIELDS]}),
            (_("Ownership"), {"fields": building}),
        ]
        if self._may_edit(request, obj):
            fieldsets.append(
                (
                    _("People"),
                    {
                        "fields": [
                            f"{role}_{name}" for role in ContactRole.values for name in CONTACT_FORM_FIELDS
                        ]
                    },
                )
            )
        if obj is None:
            return fieldsets
        fieldsets += [
            (
                _("State"),
                {
                    "fields": STATE_FIELDS,
                    "description": _(
                        "A dwelling moves on its own page, where each move is checked and logged."
                    ),
                },
            ),
            (_("Survey"), {"fields": SURVEY_FIELDS}),
        ]
        if can_see_contacts(request.user, obj):
            fieldsets.append((_("Agreement"), {"fields": AGREEMENT_FIELDS}))
        fieldsets += [
            (_("Installation"), {"fields": INSTALLATION_FIELDS}),
            (None, {"fields": ["created_at", "updated_at"]}),
        ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else DWELLING_READONLY_FIELDS

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is None:
            return []
        # Whoever may change the register changes the people on the form itself.
        hide_contacts = not can_see_contacts(request.user, obj) or self._may_edit(request, obj)
        if hide_contacts:
            inlines = [inline for inline in inlines if not isinstance(inline, ContactInline)]
        return inlines

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "project":
            kwargs["queryset"] = projects_coordinated_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("dwelling page"))
    def page_link(self, obj):
        url = reverse("projects:dwelling", kwargs={"slug": obj.project.slug, "pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, gettext("Open the dwelling page"))

    @admin.display(description=_("agreement document"))
    def agreement_link(self, obj):
        if not obj.agreement_document:
            return "—"
        url = reverse("projects:dwelling-agreement", kwargs={"slug": obj.project.slug, "pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, gettext("Download (PDF)"))

    def save_through_service(self, request, obj, form, change):
        try:
            return dwelling_save(
                actor=request.user,
                project=obj.project if change else form.cleaned_data["project"],
                dwelling=obj if change else None,
                fields=form.register_fields(),
                contacts=form.contacts(obj if change else None),
                source="admin",
            )
        except Dwelling.DoesNotExist as exc:
            raise Http404 from exc


@admin.register(DwellingTransition)
class DwellingTransitionAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["at", "dwelling", "transition", "source", "target", "actor", "organisation"]
    list_filter = ["transition", "target"]
    list_select_related = ["dwelling", "actor", "organisation"]
    date_hierarchy = "at"

    def scope(self, request):
        return DwellingTransition.objects.filter(dwelling__in=dwellings_visible_to(request.user))


@admin.register(Job)
class JobAdmin(ReadOnlyAdminMixin, ProjectScopedAdminMixin, admin.ModelAdmin):
    """Jobs are started by the pages (imports, bulk moves, plans, planning) and run by tasks: read-only."""

    list_display = ["pk", "kind", "project", "status", "processed", "total", "created_by", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["project", "created_by"]
    # Uploaded registers and their rejects hold personal data, and stored files are not public: not here.
    exclude = ["input_file", "output_file"]

    def scope(self, request):
        return Job.objects.filter(project__in=projects_coordinated_by(request.user))
