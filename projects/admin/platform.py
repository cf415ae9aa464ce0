"""What belongs to the platform rather than to a project: the audit log, and the admin pages of other
packages that hand out powers or lift a lockout. Platform superusers only."""

from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from projects.admin.base import ReadOnlyAdminMixin
from projects.models import ApiToken

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


class PlatformOnlyMixin:
    """Platform superusers only; ``read_only`` pages change nothing even for them."""

    read_only = False

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args, **kwargs):
        return request.user.is_superuser and not self.read_only

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and not self.read_only

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and not self.read_only


def _platform_only(model, *, read_only: bool = False) -> None:
    """Re-register another package's admin page of ``model`` for platform superusers only."""
    if not admin.site.is_registered(model):
        return
    base = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (PlatformOnlyMixin, base), {"read_only": read_only}))


# Groups carry permissions: platform powers, as on the user page.
_platform_only(Group)


@admin.register(ApiToken)
class ApiTokenAdmin(PlatformOnlyMixin, admin.ModelAdmin):
    """Who has which API tokens, read only: a token is made and revoked by its person (/account/tokens/),
    and its key exists nowhere (knox keeps a digest), so no page can show it."""

    read_only = True
    list_display = ["name", "user", "starts_with", "created", "expiry", "last_used"]
    list_select_related = ["user"]
    search_fields = ["name", "user__email"]
    date_hierarchy = "created"
    fields = ["name", "user", "starts_with", "created", "expiry", "last_used"]
    readonly_fields = fields

    @admin.display(description=_("starts with"))
    def starts_with(self, token):
        return f"{token.prefix}…"


# Deleting a failed-login record lifts a lockout without the audit row that ``person_unlock`` writes:
# an administrator unlocks on the people page.
for _model in (AccessAttempt, AccessLog, AccessFailureLog):
    _platform_only(_model, read_only=True)
