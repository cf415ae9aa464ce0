"""The portal in the admin: read-only, in the same scope as its pages. Questions are answered in the
inbox, links revoked and sent anew from the dwelling page, agreements accepted in the portal only."""

from django.contrib import admin

from communication.permissions import speaking_projects
from portal.models import Acceptance, Meeting, MeetingReply, PortalLink, Question, SoundingBoardMember
from portal.permissions import questions_visible_to
from portal.services.meetings import meetings_visible_to, reachable_dwellings
from projects.admin.base import ReadOnlyAdminMixin, ScopedAdminMixin
from projects.permissions import dwellings_visible_to, is_platform_admin


class ErasableMixin:
    """The platform's administrator may erase them with a home (a request to be forgotten); nobody else
    deletes what residents sent or accepted."""

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(Question)
class QuestionAdmin(ErasableMixin, ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "kind", "problem", "status", "project", "addressed_to"]
    list_filter = ["kind", "status", "problem"]
    list_select_related = ["project", "addressed_to"]

    def scope(self, request):
        return questions_visible_to(request.user)


@admin.register(PortalLink)
class PortalLinkAdmin(ErasableMixin, ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """When links were made and until when they work; never the code (only its hash is kept)."""

    list_display = ["created_at", "hint", "purpose", "expires_at", "revoked_at"]
    exclude = ["code_hash"]

    def scope(self, request):
        # Which links a person has is the platform administrator's to see (support); parties revoke and
        # send anew from the dwelling page.
        return PortalLink.objects.all() if is_platform_admin(request.user) else PortalLink.objects.none()


@admin.register(Acceptance)
class AcceptanceAdmin(ErasableMixin, ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["accepted_at", "kind", "dwelling", "identity_check"]
    list_filter = ["kind"]
    list_select_related = ["dwelling"]

    def scope(self, request):
        return Acceptance.objects.filter(dwelling__in=dwellings_visible_to(request.user))


@admin.register(Meeting)
class MeetingAdmin(ErasableMixin, ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Meetings are planned on their own pages (/meetings/); here to read, for the party that speaks."""

    list_display = ["starts_at", "title", "kind", "place", "project"]
    list_filter = ["kind"]
    list_select_related = ["project"]

    def scope(self, request):
        return meetings_visible_to(request.user)


@admin.register(SoundingBoardMember)
class SoundingBoardMemberAdmin(ErasableMixin, ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Residents sign up and leave in the portal; the names show for the homes the user may message."""

    list_display = ["contact", "project", "joined_at", "left_at"]
    list_select_related = ["contact", "project"]

    def scope(self, request):
        return SoundingBoardMember.objects.filter(
            project_id__in=speaking_projects(request.user),
            contact__dwelling__in=reachable_dwellings(request.user),
        )


@admin.register(MeetingReply)
class MeetingReplyAdmin(ErasableMixin, ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["replied_at", "meeting", "contact", "coming", "people"]
    list_filter = ["coming"]
    list_select_related = ["meeting", "contact"]

    def scope(self, request):
        return MeetingReply.objects.filter(
            meeting__in=meetings_visible_to(request.user),
            contact__dwelling__in=reachable_dwellings(request.user),
        )
