"""Projects, their governance, the roles of the parties and sub-teams: through the governance services."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.admin.base import (
    ProjectScopedAdminMixin,
    ReadOnlyInlineMixin,
    ScopedAdminMixin,
    ServiceAdminMixin,
    ServiceDeleteMixin,
)
from projects.forms import GovernanceForm, ProjectForm
from projects.models import Governance, Organisation, Participation, Project, SubTeam, User
from projects.permissions import projects_coordinated_by, projects_visible_to
from projects.services import (
    GOVERNANCE_FIELDS,
    PROJECT_FIELDS,
    governance_update,
    participation_add,
    participation_remove,
    project_create,
    subteam_delete,
    subteam_save,
)


@admin.register(Participation)
class ParticipationAdmin(ServiceAdminMixin, ServiceDeleteMixin, ProjectScopedAdminMixin, admin.ModelAdmin):
    """A role is added with ``participation_add`` and removed with ``participation_remove``; there is no
    service to change a role in place: remove it and add the right one."""

    list_display = ["project", "organisation", "role", "phase", "involved_on"]
    list_filter = ["role", "phase", "organisation__kind"]
    search_fields = ["project__name", "organisation__name"]
    list_select_related = ["project", "organisation"]
    fields = ["project", "organisation", "role", "phase", "involved_on", "note"]

    def has_change_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            # Any organisation on the platform can be invited into a project, as on the project page.
            kwargs["queryset"] = Organisation.objects.order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        return participation_add(
            actor=request.user,
            project=data["project"],
            organisation=data["organisation"],
            role=data["role"],
            phase=data["phase"],
            involved_on=data["involved_on"],
            note=data["note"],
        )

    def delete_through_service(self, request, obj):
        participation_remove(actor=request.user, participation=obj)


class SubTeamAdminForm(forms.ModelForm):
    class Meta:
        model = SubTeam
        fields = ["project", "name", "covers", "members"]


@admin.register(SubTeam)
class SubTeamAdmin(ServiceAdminMixin, ServiceDeleteMixin, ProjectScopedAdminMixin, admin.ModelAdmin):
    """Sub-teams are saved with ``subteam_save`` (members must work for a party of the project) and removed
    with ``subteam_delete``."""

    form = SubTeamAdminForm
    list_display = ["name", "project"]
    search_fields = ["name", "project__name"]
    filter_horizontal = ["members"]
    list_select_related = ["project"]

    def get_readonly_fields(self, request, obj=None):
        # A sub-team stays in its project.
        return ["project"] if obj is not None else []

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            participating = Participation.objects.filter(project__in=projects_coordinated_by(request.user))
            kwargs["queryset"] = (
                User.objects.filter(is_active=True, organisation__in=participating.values("organisation_id"))
                .select_related("organisation")
                .order_by("organisation__name", "last_name", "email")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        return subteam_save(
            actor=request.user,
            project=obj.project if change else data["project"],
            subteam=obj if change else None,
            name=data["name"],
            covers=data["covers"],
            members=data["members"],
        )

    def delete_through_service(self, request, obj):
        subteam_delete(actor=request.user, subteam=obj)


class GovernanceAdminForm(forms.ModelForm):
    """The building blocks and the ``version`` the form was loaded with: a form loaded before someone
    else's save is stale."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Governance
        fields = list(GOVERNANCE_FIELDS)
        # A plain file input: the stored document is private and offered through a scoped view.
        widgets = {"agreement_document": forms.FileInput(attrs={"accept": "application/pdf,.pdf"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    # The page's check: a PDF, not too large.
    clean_agreement_document = GovernanceForm.clean_agreement_document

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in GOVERNANCE_FIELDS if name in self.cleaned_data}


@admin.register(Governance)
class GovernanceAdmin(ServiceAdminMixin, ProjectScopedAdminMixin, admin.ModelAdmin):
    """The seven building blocks, saved with ``governance_update``: the version check and the audit log
    hold as on the project page. Governance comes with its project and goes with it."""

    form = GovernanceAdminForm
    list_display = ["project", "lead_model", "collaboration", "responsibility_boundary", "communication"]
    list_filter = ["lead_model", "collaboration", "responsibility_boundary", "communication"]
    list_select_related = ["project"]
    readonly_fields = ["project", "agreement_link"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        head = ["project"]
        if obj is not None and self.has_change_permission(request, obj):
            head.append("version")
        fieldsets = [(None, {"fields": head})]
        for number, title, fields in Governance.BLOCKS:
            fields = list(fields)
            if number == "1.2":
                fields += ["agreement_document", "agreement_link"]
            fieldsets.append((f"{number} {title}", {"fields": fields}))
        return fieldsets

    @admin.display(description=_("stored agreement"))
    def agreement_link(self, obj):
        if not obj.agreement_document:
            return "—"
        url = reverse("projects:agreement", kwargs={"slug": obj.project.slug})
        return format_html('<a href="{}">{}</a>', url, gettext("Download (PDF)"))

    def save_through_service(self, request, obj, form, change):
        return governance_update(
            actor=request.user,
            project=obj.project,
            version=form.cleaned_data["version"],
            **form.changes(),
        )


class GovernanceInline(ReadOnlyInlineMixin, admin.StackedInline):
    model = Governance
    exclude = ["version"]
    show_change_link = True


class ParticipationInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Participation
    fields = ["organisation", "role", "phase", "involved_on", "note"]
    show_change_link = True


class SubTeamInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = SubTeam
    fields = ["name", "covers"]
    show_change_link = True


class ProjectAdminForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = list(PROJECT_FIELDS)
        # As on the page: "1.000" is refused, not taken for 1.
        field_classes = ProjectForm.Meta.field_classes


@admin.register(Project)
class ProjectAdmin(ServiceAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """A project starts with ``project_create`` (here for platform superusers; parties start projects on
    the site, which makes them its lead party). No service changes its facts, so they are read-only; its
    governance, roles and sub-teams change on the project page or on their own admin pages."""

    form = ProjectAdminForm
    list_display = ["name", "municipality", "neighbourhood", "connection_approach", "planned_dwellings"]
    list_filter = ["connection_approach", "heat_company_kind", "municipality"]
    search_fields = ["name", "municipality", "neighbourhood"]
    inlines = [GovernanceInline, ParticipationInline, SubTeamInline]

    def scope(self, request):
        return projects_visible_to(request.user)

    def get_fields(self, request, obj=None):
        return list(PROJECT_FIELDS) if obj is None else ["page_link", *PROJECT_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["page_link", *PROJECT_FIELDS]

    def get_prepopulated_fields(self, request, obj=None):
        return {"slug": ["name"]} if obj is None else {}

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        # Nothing on the change page is saved here (see the class docstring).
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # There is no service to delete a project: a platform superuser removes one started by mistake
        # (or a test), with all that hangs from it.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    @admin.display(description=_("project page"))
    def page_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            obj.get_absolute_url(),
            gettext("Open the project page: governance, roles and sub-teams are changed there."),
        )

    def save_through_service(self, request, obj, form, change):
        return project_create(
            actor=request.user, **{name: form.cleaned_data[name] for name in PROJECT_FIELDS}
        )
