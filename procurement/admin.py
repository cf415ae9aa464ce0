"""Installers, agreements, pools and a project's choice of pool in the admin, scoped like the pages and
saved through the services (``procurement/services/setup.py``): each organisation keeps its own, the
others it works with read them, and everyone else finds nothing (404). Packages, completions, reviews,
the delivery set register, tenders and requests to inform residents are worked on their own pages; the
admin shows them read-only, in the same scope."""

from django.contrib import admin
from django.db.models import Q

from procurement import services
from procurement.models import (
    Certificate,
    Completion,
    DeliverySet,
    FrameworkAgreement,
    InstallationReview,
    InstallerProfile,
    PackageDwelling,
    Pool,
    ProjectProcurement,
    Tender,
    UnitRate,
    WorkPackage,
)
from procurement.selectors import delivery_sets_visible_to, packages_visible_to, tenders_visible_to
from procurement.services.setup import keeps
from projects.admin.base import (
    ProjectScopedAdminMixin,
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    ScopedAdminMixin,
    ServiceAdminMixin,
)
from projects.models import Organisation, OrganisationKind
from projects.permissions import dwellings_visible_to, is_platform_admin, projects_coordinated_by


def _agreements_of(request):
    """The agreements the user's organisation is a party to."""
    if is_platform_admin(request.user):
        return FrameworkAgreement.objects.all()
    org = request.user.organisation_id
    return FrameworkAgreement.objects.filter(Q(contracting_party_id=org) | Q(installer_id=org))


def _partners_of(request):
    """The organisations the user's organisation has an agreement with, and itself."""
    org = request.user.organisation_id
    agreements = _agreements_of(request)
    return Organisation.objects.filter(
        Q(pk=org)
        | Q(pk__in=agreements.values("installer_id"))
        | Q(pk__in=agreements.values("contracting_party_id"))
    )


class KeptByMixin(ServiceAdminMixin, ScopedAdminMixin):
    """Changed by a coordinator of the organisation that keeps it (``kept_by(obj)``), read by the others."""

    # The field naming the organisation that keeps the object: one's own only, in the add form.
    keeper_field: str = ""

    def kept_by(self, obj) -> int | None:
        raise NotImplementedError

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == self.keeper_field and not is_platform_admin(request.user):
            kwargs["queryset"] = Organisation.objects.filter(pk=request.user.organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or keeps(request.user, self.kept_by(obj)))

    def has_delete_permission(self, request, obj=None):
        return False  # an agreement, a pool or a certificate ends; it is not deleted


class UnitRateInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = UnitRate
    fields = ["work", "unit", "price"]
    readonly_fields = fields


@admin.register(FrameworkAgreement)
class FrameworkAgreementAdmin(KeptByMixin, admin.ModelAdmin):
    keeper_field = "contracting_party"
    list_display = ["reference", "contracting_party", "installer", "scope", "starts_on", "ends_on", "status"]
    list_filter = ["status", "scope"]
    search_fields = ["reference", "installer__name", "contracting_party__name"]
    list_select_related = ["contracting_party", "installer"]
    fields = [
        "reference",
        "contracting_party",
        "installer",
        "project",
        "scope",
        "starts_on",
        "ends_on",
        "max_volume",
        "required_certificates",
        "status",
        "terminated_on",
    ]
    inlines = [UnitRateInline]

    def scope(self, request):
        return _agreements_of(request)

    def kept_by(self, obj):
        return obj.contracting_party_id

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "installer":
            # A contracting party may make an agreement with any installer on the platform.
            kwargs["queryset"] = Organisation.objects.filter(kind=OrganisationKind.INSTALLER)
        if db_field.name == "project" and not is_platform_admin(request.user):
            kwargs["queryset"] = projects_coordinated_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_through_service(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in self.fields if name in form.cleaned_data}
        return services.agreement_save(actor=request.user, agreement=obj if change else None, **data)


@admin.register(UnitRate)
class UnitRateAdmin(KeptByMixin, admin.ModelAdmin):
    list_display = ["agreement", "work", "unit", "price"]
    list_select_related = ["agreement"]
    fields = ["agreement", "work", "unit", "price"]

    def scope(self, request):
        return UnitRate.objects.filter(agreement__in=_agreements_of(request))

    def kept_by(self, obj):
        return obj.agreement.contracting_party_id

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agreement" and not is_platform_admin(request.user):
            kwargs["queryset"] = FrameworkAgreement.objects.filter(
                contracting_party_id=request.user.organisation_id
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_through_service(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in self.fields}
        return services.rate_save(actor=request.user, rate=obj if change else None, **data)


@admin.register(Pool)
class PoolAdmin(KeptByMixin, admin.ModelAdmin):
    keeper_field = "owner"
    list_display = ["name", "owner"]
    fields = ["name", "owner", "description", "agreements"]
    filter_horizontal = ["agreements"]

    def scope(self, request):
        if is_platform_admin(request.user):
            return Pool.objects.all()
        org = request.user.organisation_id
        return Pool.objects.filter(Q(owner_id=org) | Q(agreements__installer_id=org)).distinct()

    def kept_by(self, obj):
        return obj.owner_id

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "agreements" and not is_platform_admin(request.user):
            kwargs["queryset"] = FrameworkAgreement.objects.filter(
                contracting_party_id=request.user.organisation_id
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        return services.pool_save(
            actor=request.user,
            pool=obj if change else None,
            name=data["name"],
            owner=data["owner"],
            description=data["description"],
            agreements=list(data["agreements"]),
        )


@admin.register(InstallerProfile)
class InstallerProfileAdmin(KeptByMixin, admin.ModelAdmin):
    keeper_field = "organisation"
    list_display = ["organisation", "connections_per_week", "contact_name"]
    fields = [
        "organisation",
        "connections_per_week",
        "municipalities",
        "contact_name",
        "contact_email",
        "contact_phone",
    ]

    def scope(self, request):
        return InstallerProfile.objects.filter(organisation__in=_partners_of(request))

    def kept_by(self, obj):
        return obj.organisation_id

    def save_through_service(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        return services.installer_profile_save(actor=request.user, organisation=organisation, **data)


@admin.register(Certificate)
class CertificateAdmin(KeptByMixin, admin.ModelAdmin):
    keeper_field = "organisation"
    list_display = ["organisation", "kind", "number", "valid_until"]
    list_filter = ["kind"]
    fields = ["organisation", "kind", "number", "valid_until"]

    def scope(self, request):
        return Certificate.objects.filter(organisation__in=_partners_of(request))

    def kept_by(self, obj):
        return obj.organisation_id

    def save_through_service(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in self.fields}
        return services.certificate_save(actor=request.user, certificate=obj if change else None, **data)


@admin.register(ProjectProcurement)
class ProjectProcurementAdmin(ServiceAdminMixin, ProjectScopedAdminMixin, admin.ModelAdmin):
    list_display = ["project", "pool", "main_contractor"]
    fields = ["project", "pool", "main_contractor"]

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not is_platform_admin(request.user):
            org = request.user.organisation_id
            if db_field.name == "pool":
                kwargs["queryset"] = Pool.objects.filter(owner_id=org)
            if db_field.name == "main_contractor":
                kwargs["queryset"] = Organisation.objects.filter(agreements__pools__owner_id=org).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        return services.project_procurement_set(
            actor=request.user,
            project=data["project"],
            pool=data["pool"],
            main_contractor=data["main_contractor"],
        )


class PackageDwellingInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = PackageDwelling
    fields = ["dwelling", "open", "subcontractor"]
    readonly_fields = fields

    def get_queryset(self, request):
        # A subcontractor sees the package, and only the dwellings handed to it.
        return super().get_queryset(request).filter(dwelling__in=dwellings_visible_to(request.user))


@admin.register(WorkPackage)
class WorkPackageAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["project", "number", "name", "status", "installer", "first_week", "last_week"]
    list_filter = ["status"]
    list_select_related = ["project", "installer"]
    inlines = [PackageDwellingInline]

    def scope(self, request):
        return packages_visible_to(request.user)


# --- Read-only: completions, reviews, the register, tenders and requests are worked on their own pages.


def _cost_projects(request):
    from procurement.permissions import COST_ROLES
    from projects.permissions import project_roles

    return [pk for pk, roles in project_roles(request.user).items() if roles & COST_ROLES]


@admin.register(DeliverySet)
class DeliverySetAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["serial_number", "dwelling", "meter_number", "installer", "connected_on", "active"]
    list_filter = ["active"]
    search_fields = ["serial_number", "meter_number"]
    list_select_related = ["dwelling", "installer"]

    def scope(self, request):
        return delivery_sets_visible_to(request.user)


@admin.register(InstallationReview)
class InstallationReviewAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["dwelling", "installer", "decision", "reviewed_at"]
    list_filter = ["decision"]
    list_select_related = ["dwelling", "installer"]

    def scope(self, request):
        if is_platform_admin(request.user):
            return InstallationReview.objects.all()
        return InstallationReview.objects.filter(
            Q(dwelling__project_id__in=_cost_projects(request)) | Q(installer_id=request.user.organisation_id)
        )


@admin.register(Completion)
class CompletionAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["dwelling", "installer", "reported_at", "version"]
    list_select_related = ["dwelling", "installer"]
    exclude = ["report_client_id"]

    def scope(self, request):
        if is_platform_admin(request.user):
            return Completion.objects.all()
        return Completion.objects.filter(
            Q(dwelling__project_id__in=_cost_projects(request)) | Q(installer_id=request.user.organisation_id)
        )


@admin.register(Tender)
class TenderAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "project", "scope", "deadline", "status"]
    list_filter = ["status", "scope"]
    list_select_related = ["project"]

    def scope(self, request):
        return tenders_visible_to(request.user)
