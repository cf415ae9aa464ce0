"""Installers, agreements, pools and a project's choice of pool: who may change them, and the rules.

Each organisation keeps its own: an installer its profile and certificates; a contracting party (a heat
company, sometimes a housing association) its agreements, their unit rates and its pools; a project's
lead party the pool it works from and its main contractor. Every change is on the audit log, with the
person who made it.
"""

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from procurement import checklist
from procurement.models import (
    AgreementScope,
    AgreementStatus,
    Certificate,
    CommissioningChecklist,
    FrameworkAgreement,
    InstallerProfile,
    Pool,
    ProjectProcurement,
    UnitRate,
)
from procurement.permissions import can_manage_packages
from projects.models import Organisation, OrganisationKind, Participation, Project, Role, User
from projects.permissions import COORDINATING, does, is_platform_admin

CONTRACTING_KINDS = (
    OrganisationKind.HEAT_COMPANY,
    OrganisationKind.HEAT_COOPERATIVE,
    OrganisationKind.HOUSING_ASSOCIATION,
)


def keeps(user: User, organisation_id: int | None) -> bool:
    """A coordinator of ``organisation_id`` (or who runs the platform) changes what it keeps."""
    if is_platform_admin(user):
        return True
    return (
        user.is_active
        and organisation_id is not None
        and user.organisation_id == organisation_id
        and not user.in_field_only
        and does(user, COORDINATING)
    )


def _save(instance, actor):
    instance.full_clean()
    with set_actor(actor):
        instance.save()
    return instance


@transaction.atomic
def installer_profile_save(*, actor: User, organisation: Organisation, **fields) -> InstallerProfile:
    if organisation.kind != OrganisationKind.INSTALLER:
        raise ValidationError({"organisation": _("Only an installer has an installer profile.")})
    if not keeps(actor, organisation.pk):
        raise PermissionDenied(_("An installer keeps its own profile and certificates."))
    profile = InstallerProfile.objects.filter(organisation=organisation).first() or InstallerProfile(
        organisation=organisation
    )
    for name, value in fields.items():
        setattr(profile, name, value)
    return _save(profile, actor)


@transaction.atomic
def certificate_save(*, actor: User, certificate: Certificate | None = None, **fields) -> Certificate:
    certificate = certificate or Certificate()
    for name, value in fields.items():
        setattr(certificate, name, value)
    organisation = certificate.organisation if certificate.organisation_id else None
    if organisation is None or organisation.kind != OrganisationKind.INSTALLER:
        raise ValidationError({"organisation": _("Only an installer holds certificates here.")})
    if not keeps(actor, organisation.pk):
        raise PermissionDenied(_("An installer keeps its own profile and certificates."))
    return _save(certificate, actor)


@transaction.atomic
def agreement_save(
    *, actor: User, agreement: FrameworkAgreement | None = None, **fields
) -> FrameworkAgreement:
    """Make or change a framework agreement, as a coordinator of its contracting party. An agreement for
    one project only (a tender's award) is made by that project's lead party."""
    agreement = agreement or FrameworkAgreement(created_by=actor)
    was = agreement.contracting_party_id
    for name, value in fields.items():
        setattr(agreement, name, value)
    if was is not None and agreement.contracting_party_id != was:
        raise ValidationError(
            {"contracting_party": _("The contracting party of an agreement does not change.")}
        )
    if not keeps(actor, agreement.contracting_party_id):
        raise PermissionDenied(_("Only a coordinator of the contracting party keeps its agreements."))
    errors = {}
    if agreement.contracting_party.kind not in CONTRACTING_KINDS:
        errors["contracting_party"] = _(
            "A heat company, a heat cooperative or a housing association contracts."
        )
    if agreement.installer.kind != OrganisationKind.INSTALLER:
        errors["installer"] = _("Choose an installer.")
    if (
        agreement.project_id
        and not Participation.objects.filter(
            project_id=agreement.project_id, organisation_id=agreement.contracting_party_id, role=Role.LEAD
        ).exists()
    ):
        errors["project"] = _("An award for one project is made by that project's lead party.")
    if errors:
        raise ValidationError(errors)
    if agreement.status == AgreementStatus.TERMINATED and agreement.terminated_on is None:
        raise ValidationError({"terminated_on": _("Give the date the agreement was terminated.")})
    return _save(agreement, actor)


@transaction.atomic
def rate_save(*, actor: User, rate: UnitRate | None = None, **fields) -> UnitRate:
    rate = rate or UnitRate()
    for name, value in fields.items():
        setattr(rate, name, value)
    if not rate.agreement_id or not keeps(actor, rate.agreement.contracting_party_id):
        raise PermissionDenied(_("Only a coordinator of the contracting party keeps its agreements."))
    return _save(rate, actor)


@transaction.atomic
def pool_save(*, actor: User, pool: Pool | None = None, agreements=(), **fields) -> Pool:
    """Make or change a pool of the actor's organisation, holding agreements it contracted."""
    pool = pool or Pool()
    was = pool.owner_id
    for name, value in fields.items():
        setattr(pool, name, value)
    if was is not None and pool.owner_id != was:
        raise ValidationError({"owner": _("The organisation that keeps a pool does not change.")})
    if not keeps(actor, pool.owner_id):
        raise PermissionDenied(_("Only a coordinator of the organisation that keeps the pool changes it."))
    foreign = [a.reference for a in agreements if a.contracting_party_id != pool.owner_id]
    if foreign:
        raise ValidationError(
            {
                "agreements": _("A pool holds its own organisation's agreements; not: %(refs)s.")
                % {"refs": ", ".join(foreign)}
            }
        )
    _save(pool, actor)
    with set_actor(actor):
        pool.agreements.set(agreements)
    return pool


@transaction.atomic
def project_procurement_set(
    *, actor: User, project: Project, pool: Pool | None, main_contractor: Organisation | None
) -> ProjectProcurement:
    """The lead party chooses the pool its project works from and picks the main contractor from it; the
    main contractor joins the project in that role."""
    if not can_manage_packages(actor, project):
        raise PermissionDenied(
            _("Only a coordinator of the lead party chooses the pool and the main contractor.")
        )
    if main_contractor is not None:
        if pool is None:
            raise ValidationError(
                {"main_contractor": _("Choose the pool first; the main contractor comes from it.")}
            )
        in_pool = pool.agreements.filter(
            installer=main_contractor,
            status=AgreementStatus.ACTIVE,
            scope__in=[AgreementScope.INSTALLATION, AgreementScope.BOTH],
        )
        if not in_pool.exists():
            raise ValidationError(
                {
                    "main_contractor": _(
                        "%(installer)s has no active agreement for installation in this pool."
                    )
                    % {"installer": main_contractor}
                }
            )
    choice = ProjectProcurement.objects.select_for_update().filter(project=project).first()
    choice = choice or ProjectProcurement(project=project)
    choice.pool, choice.main_contractor, choice.updated_by = pool, main_contractor, actor
    _save(choice, actor)
    # Working from a pool, the installers complete with evidence: the checklist starts as the template.
    CommissioningChecklist.objects.get_or_create(project=project, defaults={"updated_by": actor})
    if main_contractor is not None:
        with set_actor(actor):
            Participation.objects.get_or_create(
                project=project, organisation=main_contractor, role=Role.MAIN_CONTRACTOR
            )
    return choice


@transaction.atomic
def checklist_save(*, actor: User, project: Project, optional_items) -> CommissioningChecklist:
    """The lead party makes items of the template optional for its project; what the heat company needs
    for its register (``checklist.LOCKED``) stays required."""
    if not can_manage_packages(actor, project):
        raise PermissionDenied(_("Only a coordinator of the lead party sets the commissioning checklist."))
    keys = list(dict.fromkeys(optional_items or []))
    unknown = [key for key in keys if checklist.item(key) is None]
    if unknown:
        raise ValidationError(
            {"optional_items": _("Not an item of the checklist: %(items)s.") % {"items": ", ".join(unknown)}}
        )
    locked = [checklist.describe(key) for key in keys if key in checklist.LOCKED]
    if locked:
        raise ValidationError(
            {
                "optional_items": _("These items are always required: %(items)s.")
                % {"items": "; ".join(locked)}
            }
        )
    own, _created = CommissioningChecklist.objects.select_for_update().get_or_create(project=project)
    own.optional_items, own.updated_by = keys, actor
    own.save()
    return own


@transaction.atomic
def project_budget_set(
    *, actor: User, project: Project, budget, overrun_margin: int = 10
) -> ProjectProcurement:
    """The lead party sets the project's installation budget and the margin by which a dwelling or a
    cluster may pass its estimate before it counts as over budget."""
    if not can_manage_packages(actor, project):
        raise PermissionDenied(_("Only a coordinator of the lead party sets the budget."))
    if budget is not None and budget < 0:
        raise ValidationError({"budget": _("The budget cannot be negative.")})
    if not 0 <= int(overrun_margin) <= 100:
        raise ValidationError({"overrun_margin": _("Give a margin between 0 and 100 percent.")})
    choice = ProjectProcurement.objects.select_for_update().filter(project=project).first()
    choice = choice or ProjectProcurement(project=project)
    choice.budget, choice.overrun_margin, choice.updated_by = budget, int(overrun_margin), actor
    _save(choice, actor)
    return choice
