"""Survey records hold the kitchen-table talk: in the admin only for platform superusers, and read-only.

Parties work with surveys through the survey pages, which apply each party's scope. Everything here is
written by a service: the answers and photos by the survey form (``survey_save_answers``, ``photo_add``,
``photo_remove``, with their history), the visits by the moves of the dwelling (``visit_log``,
``visit_record``). So the admin shows them and changes nothing. Connection plans (private PDFs, made by
the plan services) and survey slots (the planning pages) are not in the admin at all.
"""

from django.contrib import admin

from surveys.models import Photo, Survey, Visit


class SuperuserReadOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(SuperuserReadOnlyAdmin):
    list_display = ["dwelling", "surveyor", "started_at", "outcome"]
    list_filter = ["outcome"]
    list_select_related = ["dwelling", "surveyor"]


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    can_delete = False
    fields = ["field", "image", "width", "height", "uploaded_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(SuperuserReadOnlyAdmin):
    list_display = ["dwelling", "completed_at", "version", "updated_at"]
    list_select_related = ["dwelling"]
    inlines = [PhotoInline]
