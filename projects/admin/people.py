"""Organisations and their people: an organisation's administrator changes its people through the
people services; platform powers stay with platform superusers."""

from auditlog.context import set_actor
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from projects.admin.base import ScopedAdminMixin, ServiceAdminMixin
from projects.models import Organisation, User, WorkRole
from projects.permissions import (
    can_manage_people,
    can_manage_person,
    organisations_visible_to,
    users_visible_to,
)
from projects.services.people import PERSON_FIELDS, person_create, person_update


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """An organisation's administrator keeps its contact details; its kind decides which roles it may take
    in a project (and its slug names it), so only platform superusers change those, add or delete."""

    list_display = ["name", "kind", "city"]
    list_filter = ["kind"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}

    def scope(self, request):
        return organisations_visible_to(request.user)

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        own = obj is None or obj.pk == request.user.organisation_id
        allowed = request.user.is_superuser or (own and can_manage_people(request.user))
        return allowed and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["kind", "slug"]

    def get_prepopulated_fields(self, request, obj=None):
        return super().get_prepopulated_fields(request, obj) if request.user.is_superuser else {}


class PersonFormMixin(forms.ModelForm):
    work_roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=WorkRole.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("What the organisation may do in a project is the ceiling; the roles choose within it."),
    )


class PersonChangeForm(PersonFormMixin, UserChangeForm):
    pass


class PersonAddForm(PersonFormMixin):
    """A new person gets an e-mail with a link to choose a password: nobody else ever knows it."""

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "organisation", "work_roles", "visits_per_day"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "work_roles"):
            if name in self.fields:
                self.fields[name].required = True


# What only platform superusers give: no service manages them, the audit log records them.
PLATFORM_FIELDS = ("organisation", "is_staff", "is_superuser")
PLATFORM_M2M_FIELDS = ("groups", "user_permissions")


@admin.register(User)
class UserAdmin(ServiceAdminMixin, ScopedAdminMixin, DjangoUserAdmin):
    """Colleagues are visible; an organisation's administrator changes its people through the people
    services (so the last-administrator rule and the audit log hold), platform powers stay with platform
    superusers. Passwords change through Django's own form."""

    form = PersonChangeForm
    add_form = PersonAddForm
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
                    "first_name",
                    "last_name",
                    "organisation",
                    "work_roles",
                    "visits_per_day",
                ),
            },
        ),
    )

    def scope(self, request):
        return users_visible_to(request.user)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None and not request.user.is_superuser:
            # A new person joins the administrator's own organisation.
            fieldsets = [
                (title, {**options, "fields": [f for f in options["fields"] if f != "organisation"]})
                for title, options in fieldsets
            ]
        return fieldsets

    def has_add_permission(self, request):
        return can_manage_people(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        allowed = can_manage_people(request.user) if obj is None else can_manage_person(request.user, obj)
        return allowed and super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        # A person chooses their own password (the invitation, "password forgotten"): nobody else
        # knows it. Only the platform's superusers may set one, for an account without an e-mail box.
        if not request.user.is_superuser:
            raise PermissionDenied(_("People choose their own password, through the link in their e-mail."))
        return super().user_change_password(request, id, form_url)

    def has_delete_permission(self, request, obj=None):
        # A person who leaves is blocked (``is_active``): their name stays on what they did.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ["last_login", "date_joined"] if obj is not None else []
        # An organisation's administrator manages its people but cannot hand out platform powers.
        return ["organisation", *PLATFORM_FIELDS[1:], *PLATFORM_M2M_FIELDS, "last_login", "date_joined"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation" and not request.user.is_superuser:
            kwargs["queryset"] = Organisation.objects.filter(pk=request.user.organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            return person_create(
                actor=request.user,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                work_roles=data["work_roles"],
                visits_per_day=data.get("visits_per_day"),
                organisation=data.get("organisation"),
                request=request,
            )
        # Only what changed: a superuser without roles keeps having none when only their name changes.
        changed = {name: data[name] for name in PERSON_FIELDS if name in form.changed_data}
        person = obj
        if changed:
            try:
                person = person_update(actor=request.user, person_id=obj.pk, **changed)
            except User.DoesNotExist as exc:
                raise Http404 from exc
        platform = [name for name in PLATFORM_FIELDS if name in form.changed_data]
        platform_m2m = [name for name in PLATFORM_M2M_FIELDS if name in form.changed_data]
        if (platform or platform_m2m) and request.user.is_superuser:
            person = User.objects.select_for_update().get(pk=obj.pk)
            for name in platform:
                setattr(person, name, data[name])
            person.full_clean(exclude=["password"])
            with set_actor(request.user):
                if platform:
                    person.save(update_fields=platform)
                for name in platform_m2m:
                    getattr(person, name).set(data[name])
        return person
