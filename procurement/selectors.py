"""Reads of procurement, scoped first and in a fixed number of queries."""

from django.db.models import Count, Q, QuerySet

from procurement.models import (
    Completion,
    DeliverySet,
    InstallationReview,
    PackageDwelling,
    PackageStatus,
    ReviewDecision,
    Tender,
    WorkPackage,
)
from procurement.permissions import COST_ROLES, can_manage_packages
from projects.models import Project, Role, User
from projects.permissions import FULL_VIEW_ROLES, dwellings_visible_to, is_platform_admin, project_roles
from projects.states import DwellingState

# What an installer sees of the packages offered to it: the open offer, and the work it took.
INSTALLER_SEES = (PackageStatus.OFFERED, PackageStatus.ACCEPTED)


def packages_visible_to(user: User, project: Project | None = None) -> QuerySet[WorkPackage]:
    """The lead party, the heat company and the communicating party see every package of their
    projects; an installer the ones offered to it or accepted by it; a subcontractor the accepted ones
    it was handed dwellings of; everyone else none. ``project``: of that project only."""
    packages = WorkPackage.objects.all() if project is None else WorkPackage.objects.filter(project=project)
    if is_platform_admin(user):
        return packages
    if not user.is_authenticated or not user.is_active or user.organisation_id is None or user.in_field_only:
        return packages.none()
    org = user.organisation_id
    full_view = [pk for pk, roles in project_roles(user).items() if roles & FULL_VIEW_ROLES]
    handed = PackageDwelling.objects.filter(open=True, subcontractor_id=org).values("package_id")
    return packages.filter(
        Q(project_id__in=full_view)
        | Q(installer_id=org, status__in=INSTALLER_SEES)
        | Q(pk__in=handed, status=PackageStatus.ACCEPTED)
    )


def package_list(user: User, project: Project | None = None) -> QuerySet[WorkPackage]:
    return (
        packages_visible_to(user, project)
        .select_related("installer", "agreement")
        .annotate(size=Count("items", filter=Q(items__open=True)))
        .order_by("-number")
    )


def package_dwellings(user: User, package: WorkPackage):
    """The package's dwellings that the user sees (a subcontractor: the ones handed to it)."""
    visible = dwellings_visible_to(user).filter(project_id=package.project_id)
    return (
        PackageDwelling.objects.filter(package=package, open=True, dwelling__in=visible)
        .select_related("dwelling", "subcontractor")
        .order_by("dwelling__street", "dwelling__house_number", "dwelling__house_letter")
    )


def can_see_packages(user: User, project: Project) -> bool:
    return can_manage_packages(user, project) or packages_visible_to(user, project).exists()


def delivery_sets_visible_to(user: User) -> QuerySet[DeliverySet]:
    """The register: the lead party and the heat company see the sets of their projects, an installer
    the sets it installed; everyone else none."""
    sets = DeliverySet.objects.all()
    if is_platform_admin(user):
        return sets
    if not user.is_authenticated or not user.is_active or user.organisation_id is None or user.in_field_only:
        return sets.none()
    projects = [pk for pk, roles in project_roles(user).items() if roles & COST_ROLES]
    return sets.filter(Q(project_id__in=projects) | Q(installer_id=user.organisation_id))


def completion_of(dwelling) -> Completion | None:
    return Completion.objects.filter(dwelling=dwelling).prefetch_related("photos").first()


def rework_by_installer(project: Project) -> list[dict]:
    """Per installer of the project: installations confirmed and rejected (the rework), one query."""
    rows = (
        InstallationReview.objects.filter(dwelling__project=project)
        .values("installer_id", "installer__name")
        .annotate(
            confirmed=Count("pk", filter=Q(decision=ReviewDecision.CONFIRMED)),
            rejected=Count("pk", filter=Q(decision=ReviewDecision.REJECTED)),
        )
        .order_by("installer__name")
    )
    return list(rows)


def latest_rejection(dwelling) -> InstallationReview | None:
    """The rejection the installer is putting right: the dwelling's last review, if it was one."""
    review = InstallationReview.objects.filter(dwelling=dwelling).order_by("-reviewed_at", "-pk").first()
    return review if review is not None and review.decision == ReviewDecision.REJECTED else None


def tenders_visible_to(user: User) -> QuerySet[Tender]:
    """The lead party sees the tenders of its projects, an installer the ones it is invited to."""
    tenders = Tender.objects.all()
    if is_platform_admin(user):
        return tenders
    if not user.is_authenticated or not user.is_active or user.organisation_id is None or user.in_field_only:
        return tenders.none()
    led = [pk for pk, roles in project_roles(user).items() if Role.LEAD in roles]
    invited = Tender.invited.through.objects.filter(organisation_id=user.organisation_id).values("tender_id")
    return tenders.filter(Q(project_id__in=led) | Q(pk__in=invited))


def bids_visible_to(user: User, tender: Tender):
    """Every bid for the lead party; an installer only its own: never another's prices."""
    bids = tender.bids.select_related("installer").order_by("installer__name")
    if is_platform_admin(user) or Role.LEAD in project_roles(user).get(tender.project_id, set()):
        return bids
    return bids.filter(installer_id=user.organisation_id)


# The homes on an installer's My week: to plan, planned, and reported (until the review).
MY_WORK_STATES = (DwellingState.ASSIGNED, DwellingState.INSTALLATION_PLANNED, DwellingState.INSTALLED)


def my_dwellings(user):
    """The homes the user's organisation installs (as installer or handed subcontractor), or that are
    planned for the user as technician."""
    handed = PackageDwelling.objects.filter(
        open=True, subcontractor_id=user.organisation_id, package__status=PackageStatus.ACCEPTED
    ).values("dwelling_id")
    mine = Q(technician=user)
    if not user.in_field_only:
        mine |= Q(installer_id=user.organisation_id) | Q(pk__in=handed)
    return dwellings_visible_to(user).filter(mine, state__in=MY_WORK_STATES)
