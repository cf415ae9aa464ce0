"""What belongs to the platform rather than to a project: the audit log. Platform superusers only."""

from auditlog.models import LogEntry
from django.contrib import admin

from projects.admin.base import ReadOnlyAdminMixin

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
