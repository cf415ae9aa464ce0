"""The admin site: Django's, with the "view on site" shortcut kept within the user's scope."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404
from django.urls import path


class ScopedAdminSite(admin.AdminSite):
    """Django's "view on site" shortcut (``admin/r/<content type>/<id>/``) redirects any staff user to
    any object's page, so its address would tell the slug of a project the user has no part in. Here it
    answers 404 unless the object is in the user's own list of that model in the admin."""

    def get_urls(self):
        urls = super().get_urls()
        for index, pattern in enumerate(urls):
            if getattr(pattern, "name", None) == "view_on_site":
                urls[index] = path(
                    "r/<int:content_type_id>/<path:object_id>/",
                    self.admin_view(self.scoped_shortcut),
                    name="view_on_site",
                )
        return urls

    def scoped_shortcut(self, request, content_type_id, object_id):
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model = content_type.model_class() if content_type else None
        model_admin = self.get_model_admin(model) if model and self.is_registered(model) else None
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            raise Http404
        try:
            visible = model_admin.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, TypeError):
            visible = False
        if not visible:
            raise Http404
        return shortcut(request, content_type_id, object_id)
