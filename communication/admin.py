"""Communication in the admin: read-only, in the same scope as its pages. Templates, campaigns and
settings are written through their pages (and services), never around them."""

from django.contrib import admin

from communication.models import Campaign, LetterBatch, Message, MessageRequest, Template
from communication.permissions import messages_visible_to, requests_visible_to, speaking_projects
from communication.selectors import campaigns_visible_to, letter_batches_visible_to
from projects.admin.base import ReadOnlyAdminMixin, ScopedAdminMixin


@admin.register(Message)
class MessageAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "recipient_name", "channel", "status", "template_key", "project"]
    list_filter = ["channel", "status", "template_key"]
    list_select_related = ["project"]
    search_fields = ["recipient_name", "subject", "reference"]

    def has_delete_permission(self, request, obj=None):
        # The platform's administrator may erase a person's messages (a request to be forgotten), and
        # they go with a home that the administrator deletes; nobody else deletes contact history.
        return request.user.is_active and request.user.is_superuser

    def scope(self, request):
        return messages_visible_to(request.user)


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "project", "template_key", "status", "send_at"]
    list_filter = ["status"]
    list_select_related = ["project"]

    def scope(self, request):
        return campaigns_visible_to(request.user)


@admin.register(Template)
class TemplateAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "project", "key", "language", "approved_at"]
    list_filter = ["key", "language"]
    list_select_related = ["project"]

    def scope(self, request):
        return Template.objects.filter(project_id__in=speaking_projects(request.user))


@admin.register(MessageRequest)
class MessageRequestAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "project", "requested_by", "communicating_party", "status"]
    list_filter = ["status"]
    list_select_related = ["project", "requested_by", "communicating_party"]

    def scope(self, request):
        return requests_visible_to(request.user)


@admin.register(LetterBatch)
class LetterBatchAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "project", "letters", "pages"]
    list_select_related = ["project"]

    def scope(self, request):
        return letter_batches_visible_to(request.user)
