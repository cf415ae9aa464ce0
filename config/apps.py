"""The admin's app config: Django's admin with the project's own site (``config.admin_site``)."""

from django.contrib.admin.apps import AdminConfig


class ScopedAdminConfig(AdminConfig):
    default_site = "config.admin_site.ScopedAdminSite"
