"""The admin, scoped like every page: staff of an organisation see their projects only.

An object outside the user's scope answers 404 (Django's admin would redirect with a message, which
tells that the object exists). Platform superusers see everything.
"""

from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from projects.models import (
    Contact,
    Dwelling,
    DwellingTransition,
    Governance,
    Job,
    Organisation,
    Participation,
    Project,
    SubTeam,
    User,
)
from projects.permissions import (
    can_see_contacts,
    can_see_extra_care_note,
    dwellings_visible_to,
    organisations_visible_to,
    projects_coordinated_by,
    projects_visible_to,
    users_visible_to,
)


class ReadOnlyAdminMixin:
    """Logs are written by the services only; the admin shows them and changes nothing."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedAdminMixin:
    """Restrict the changelist and every object page to ``scope(user)``; 404 outside it."""

    def scope(self, request):
        raise NotImplementedError

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=self.scope(request).values("pk"))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such object."))
        return obj


class ProjectScopedAdminMixin(ScopedAdminMixin):
    """For rows that belong to a project: visible with the project, editable by its lead party."""

    def scope(self, request):
        return self.model.objects.filter(project__in=projects_visible_to(request.user))

    def _editable(self, request, obj):
        return obj is None or projects_coordinated_by(request.user).filter(pk=obj.project_id).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "project":
            kwargs["queryset"] = projects_coordinated_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["organisation"]


class SubTeamInline(admin.StackedInline):
    model = SubTeam
    extra = 0
    filter_horizontal = ["members"]


class GovernanceInline(admin.StackedInline):
    model = Governance
    can_delete = False
    exclude = ["version"]


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "city"]
    list_filter = ["kind"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}

    def scope(self, request):
        return organisations_visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        own = obj is None or request.user.is_superuser or obj.pk == request.user.organisation_id
        return own and super().has_change_permission(request, obj)


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "organisation",
        "get_work_roles_display",
        "is_active",
        "is_staff",
    ]
    list_filter = ["organisation__kind", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    fieldsets = (
        (None, {"fields": ("email", "password", "organisation", "work_roles", "visits_per_day")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "organisation",
                    "work_roles",
                    "visits_per_day",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def scope(self, request):
        return users_visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        # Organisation staff manage their colleagues but cannot hand out platform powers.
        return ["organisation", "is_superuser", "user_permissions", "groups", "last_login", "date_joined"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation" and not request.user.is_superuser:
            kwargs["queryset"] = Organisation.objects.filter(pk=request.user.organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.organisation_id = request.user.organisation_id
        super().save_model(request, obj, form, change)


@admin.register(Project)
class ProjectAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "municipality", "neighbourhood", "connection_approach", "planned_dwellings"]
    list_filter = ["connection_approach", "heat_company_kind", "municipality"]
    search_fields = ["name", "municipality", "neighbourhood"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [GovernanceInline, ParticipationInline, SubTeamInline]

    def scope(self, request):
        return projects_visible_to(request.user)

    def has_add_permission(self, request):
        # New projects start through the project pages, which make the creator the lead party.
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        editable = obj is None or projects_coordinated_by(request.user).filter(pk=obj.pk).exists()
        return editable and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Participation)
class ParticipationAdmin(ProjectScopedAdminMixin, admin.ModelAdmin):
    list_display = ["project", "organisation", "role", "phase", "involved_on"]
    list_filter = ["role", "phase", "organisation__kind"]
    search_fields = ["project__name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["project", "organisation"]


@admin.register(SubTeam)
class SubTeamAdmin(ProjectScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "project"]
    search_fields = ["name", "project__name"]
    filter_horizontal = ["members"]
    list_select_related = ["project"]


@admin.register(Governance)
class GovernanceAdmin(ProjectScopedAdminMixin, admin.ModelAdmin):
    list_display = ["project", "lead_model", "collaboration", "responsibility_boundary", "communication"]
    list_filter = ["lead_model", "collaboration", "responsibility_boundary", "communication"]
    exclude = ["version"]
    list_select_related = ["project"]

    def save_model(self, request, obj, form, change):
        # Admin edits bump the version too, so that open forms elsewhere become stale.
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


# The audit log is the platform's; it spans all projects, so only superusers see it here.
admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["timestamp", "actor", "content_type", "object_repr", "action"]
    list_filter = ["action", "content_type"]
    date_hierarchy = "timestamp"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class TransitionInline(admin.TabularInline):
    """The log is read-only: a dwelling moves through the service, never by editing its state."""

    model = DwellingTransition
    extra = 0
    can_delete = False
    readonly_fields = ["at", "transition", "source", "target", "actor", "organisation", "reason"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dwelling)
class DwellingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "postcode", "project", "cluster", "ownership", "state"]
    list_filter = ["state", "ownership", "dwelling_type", "extra_care"]
    search_fields = ["street", "postcode", "city", "bag_id", "cluster"]
    list_select_related = ["project"]
    readonly_fields = [
        "state",
        "held_state",
        "state_reason",
        "state_changed_at",
        "visit_count",
        "survey_completed_at",
        "plan_approved_at",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["surveyor"]
    inlines = [ContactInline, TransitionInline]

    def scope(self, request):
        return dwellings_visible_to(request.user)

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is not None and not can_see_contacts(request.user, obj):
            inlines = [inline for inline in inlines if not isinstance(inline, ContactInline)]
        return inlines

    def _editable(self, request, obj):
        return obj is None or projects_coordinated_by(request.user).filter(pk=obj.project_id).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return list(super().get_readonly_fields(request, obj))

    def get_exclude(self, request, obj=None):
        # A note that the user may not read is not shown at all, not even read-only.
        if obj is not None and not can_see_extra_care_note(request.user, obj):
            return ["extra_care_note"]
        return super().get_exclude(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "project":
            kwargs["queryset"] = projects_coordinated_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(DwellingTransition)
class DwellingTransitionAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["at", "dwelling", "transition", "source", "target", "actor", "organisation"]
    list_filter = ["transition", "target"]
    list_select_related = ["dwelling", "actor", "organisation"]
    date_hierarchy = "at"

    def scope(self, request):
        return DwellingTransition.objects.filter(dwelling__in=dwellings_visible_to(request.user))


@admin.register(Job)
class JobAdmin(ProjectScopedAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "kind", "project", "status", "processed", "total", "created_by", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["project", "created_by"]
    readonly_fields = ["started_at", "finished_at", "processed", "total", "result", "error"]

    def scope(self, request):
        return Job.objects.filter(project__in=projects_coordinated_by(request.user))
