"""Survey records hold the kitchen-table talk: in the admin only for platform superusers for now;
parties work with surveys through the survey pages, which apply each party's scope."""

from django.contrib import admin

from surveys.models import Photo, Survey, Visit


class SuperuserOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Visit)
class VisitAdmin(SuperuserOnlyAdmin):
    list_display = ["dwelling", "surveyor", "started_at", "outcome"]
    list_filter = ["outcome"]
    list_select_related = ["dwelling", "surveyor"]
    raw_id_fields = ["dwelling", "surveyor"]


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    readonly_fields = ["field", "image", "width", "height", "uploaded_by", "created_at"]


@admin.register(Survey)
class SurveyAdmin(SuperuserOnlyAdmin):
    list_display = ["dwelling", "completed_at", "version", "updated_at"]
    list_select_related = ["dwelling"]
    raw_id_fields = ["dwelling"]
    inlines = [PhotoInline]
