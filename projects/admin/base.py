"""What every admin page here shares: the scope, and saving through a service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.permissions import projects_coordinated_by, projects_visible_to
from projects.services import StaleObjectError


class ReadOnlyAdminMixin:
    """Rows that only services and tasks write (logs, jobs): the admin shows them and changes nothing."""

    def has_add_permission(self, request, obj=None):
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

    def has_add_permission(self, request):
        return super().has_add_permission(request) and projects_coordinated_by(request.user).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "project":
            kwargs["queryset"] = projects_coordinated_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- Saving through a service ------------------------------------------------------------------------

# What a service raises when it refuses a change; nothing is saved then.
REFUSALS = (ValidationError, PermissionDenied, StaleObjectError)


class ServiceRefused(Exception):
    """A service refused the change made in an admin form."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def refusal_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or gettext("You may not make this change.")


def _add_refusal(form, error: Exception) -> None:
    """Put a service's reasons on the form fields they concern, the rest above the form."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, reasons in error.message_dict.items():
            form.add_error(field if field in form.fields else None, reasons)
    else:
        form.add_error(None, refusal_text(error))


class ServiceAdminMixin:
    """An admin whose change and add forms save through a service, never through ``form.save()``.

    ``save_model`` calls ``save_through_service``. When the service refuses, the refusal is raised out of
    the admin's transaction, so that nothing of the attempt stays (not even the admin's own log row), and
    the form is shown again with the service's reason on it.
    """

    def save_through_service(self, request, obj, form, change):
        """Save the form's data through the service; return the saved object."""
        raise NotImplementedError

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            request._service_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form_class

        class RefusedForm(form_class):
            def full_clean(self):
                super().full_clean()
                if self.is_bound:
                    _add_refusal(self, refusal)

        RefusedForm.__name__ = form_class.__name__
        return RefusedForm

    def save_model(self, request, obj, form, change):
        try:
            saved = self.save_through_service(request, obj, form, change)
        except REFUSALS as exc:
            raise ServiceRefused(exc) from exc
        if saved is not None and not change:
            # The service made its own instance; the admin goes on with ``obj`` (its log row, the redirect).
            obj.pk = saved.pk
            obj._state.adding = False
            obj._state.db = saved._state.db

    def save_related(self, request, form, formsets, change):
        # The service saved the relations it covers (members, people); every inline here is read-only, so
        # its rows are neither saved nor changed (the admin's change message asks what they saved).
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class ServiceDeleteMixin:
    """Deleting one object goes through ``delete_through_service``; a refusal is shown as a message and
    changes nothing. There is no bulk delete: each deletion is checked on its own."""

    def delete_through_service(self, request, obj):
        raise NotImplementedError

    def delete_model(self, request, obj):
        try:
            self.delete_through_service(request, obj)
        except REFUSALS as exc:
            raise ServiceRefused(exc) from exc

    def delete_queryset(self, request, queryset):
        # Not offered (no bulk action), but should one come back it goes through the service too.
        for obj in queryset:
            self.delete_model(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceRefused as refused:
            self.message_user(request, refusal_text(refused.error), messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ReadOnlyInlineMixin:
    """An inline that shows rows and changes none of them: their own admin page or the site does that."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
