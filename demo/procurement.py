"""The demo's procurement: installers with their capacity and certificates (one about to expire), the
heat company's framework agreements with unit rates (one expired), its pool, Tuindorp-Oost's choice of
pool and main contractor, work packages in every stage, and completions with evidence: one connected,
one rejected for rework, one waiting for the review, one half filled in.

Made once, through the services where a person would act (agreements, the pool, offers, a decline, an
acceptance); the packages of homes the history assigned long ago are recorded as accepted then, as the
history writes its past moves. Idempotent: once the pool exists, nothing more.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from procurement import services
from procurement.costs import costs_of
from procurement.models import (
    Certificate,
    FrameworkAgreement,
    InstallerProfile,
    PackageDwelling,
    PackageStatus,
    Pool,
    WorkPackage,
)
from projects.models import Organisation, Project, User
from projects.services import dwelling_transition
from projects.states import DwellingState

from .evidence import complete
from .parties import LEAD, LINDEWIJK, TUINDORP
from .today import MAIN_CONTRACTOR, MAIN_CONTRACTOR_PLANNER, SUBCONTRACTOR

POOL = "Raampool Amstelland 2026–2029"
# Euros per unit, excluding VAT, per kind of work (surveys.schema.WORKS).
RATES = {
    "delivery_set": ("piece", "1450.00"),
    "indoor_pipes": ("metre", "68.50"),
    "remove_boiler": ("piece", "385.00"),
    "cap_gas": ("piece", "165.00"),
    "cooking_group": ("piece", "420.00"),
    "radiators": ("piece", "310.00"),
    "building_work": ("hour", "58.00"),
}
INSTALLERS = {  # slug: (connections per week, days the heat-network certificate is still valid)
    MAIN_CONTRACTOR: (40, 600),
    SUBCONTRACTOR: (12, 20),  # about to expire: an offer that runs past it is refused
    "elektrotechniek-jansen": (8, 400),
}


def _monday(day: datetime.date, weeks: int = 0) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday()) + datetime.timedelta(weeks=weeks)


@transaction.atomic
def procurement_demo() -> int:
    """The number of packages made (0 when the demo's procurement exists already)."""
    project = Project.objects.filter(slug=TUINDORP).first()
    lead = User.objects.filter(email=LEAD).first()
    if project is None or lead is None or Pool.objects.filter(name=POOL).exists():
        return 0
    today = timezone.localdate()
    installers = {slug: Organisation.objects.filter(slug=slug).first() for slug in INSTALLERS}
    if None in installers.values():
        return 0
    # What the firms registered of themselves, as it stands (written as the history writes the past).
    for slug, (capacity, valid_days) in INSTALLERS.items():
        organisation = installers[slug]
        InstallerProfile.objects.get_or_create(
            organisation=organisation,
            defaults={
                "connections_per_week": capacity,
                "municipalities": ["Amstelhoven", "Ouderkerk", "Lindewijk"],
                "contact_name": organisation.name,
                "contact_email": organisation.email,
            },
        )
        Certificate.objects.get_or_create(
            organisation=organisation,
            kind="heat_network",
            number=f"WN-{organisation.pk:04d}",
            defaults={"valid_until": today + datetime.timedelta(days=valid_days)},
        )
    agreements = []
    for number, (slug, starts, ends) in enumerate(
        [
            (MAIN_CONTRACTOR, today - datetime.timedelta(days=300), today + datetime.timedelta(days=1100)),
            (SUBCONTRACTOR, today - datetime.timedelta(days=200), today + datetime.timedelta(days=900)),
            # Expired last month (the nightly task writes it; it reads as expired already).
            (
                "elektrotechniek-jansen",
                today - datetime.timedelta(days=760),
                today - datetime.timedelta(days=30),
            ),
        ],
        start=1,
    ):
        reference = f"RO-AMS-{number:03d}"
        existing = FrameworkAgreement.objects.filter(reference=reference).first()
        if existing is not None:
            agreements.append(existing)
            continue
        agreement = services.agreement_save(
            actor=lead,
            reference=reference,
            contracting_party=lead.organisation,
            installer=installers[slug],
            scope="both" if slug == MAIN_CONTRACTOR else "installation",
            starts_on=starts,
            ends_on=ends,
            max_volume=2500 if slug == MAIN_CONTRACTOR else 400,
            required_certificates=["heat_network"],
            status="active",
        )
        for work, (unit, price) in RATES.items():
            services.rate_save(actor=lead, agreement=agreement, work=work, unit=unit, price=Decimal(price))
        agreements.append(agreement)
    pool = services.pool_save(
        actor=lead,
        name=POOL,
        owner=lead.organisation,
        description="Vaste installateurs onder raamovereenkomst voor de warmtenetten van Amstelland.",
        agreements=agreements,
    )
    services.project_procurement_set(
        actor=lead, project=project, pool=pool, main_contractor=installers[MAIN_CONTRACTOR]
    )
    made = _packages(project, lead, installers, today)
    _completions(project, lead, installers[MAIN_CONTRACTOR])
    _lindewijk_tenders(today)
    return made


def _lindewijk_tenders(today) -> None:
    """Lindewijk tenders ad hoc: its installation went to Smit (an agreement for the project only, at
    Smit's prices); the survey is out to tender, with Mulder's bid in."""
    project = Project.objects.filter(slug=LINDEWIJK).first()
    lead = User.objects.filter(email="cooperatie.lindewijk@demo.test").first()
    bidders = {
        email: User.objects.filter(email=email).first() for email in ("smit@demo.test", "mulder@demo.test")
    }
    if project is None or lead is None or None in bidders.values():
        return
    for user in bidders.values():
        InstallerProfile.objects.get_or_create(
            organisation=user.organisation,
            defaults={"connections_per_week": 6, "municipalities": [project.municipality]},
        )
    installers = [user.organisation_id for user in bidders.values()]
    installation = services.tender_create(
        actor=lead,
        project=project,
        title="Installatie afleversets fase 1",
        scope="installation",
        deadline=today,
        installer_ids=installers,
        description="Plaatsen van de afleversets en de binnenleidingen in de 64 woningen van Oude Dorp.",
    )
    smit = services.bid_submit(
        actor=bidders["smit@demo.test"],
        tender_id=installation.pk,
        prices={"delivery_set": "1395.00", "indoor_pipes": "64.00", "cap_gas": "150.00"},
        note="Inclusief afvoer van de oude ketels.",
    )
    services.bid_submit(
        actor=bidders["mulder@demo.test"],
        tender_id=installation.pk,
        prices={"delivery_set": "1480.00", "indoor_pipes": "59.50", "cap_gas": "140.00"},
    )
    services.tender_award(
        actor=lead,
        tender_id=installation.pk,
        bid_id=smit.pk,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=540),
    )
    survey = services.tender_create(
        actor=lead,
        project=project,
        title="Woningopname Oude Dorp",
        scope="survey",
        deadline=today + datetime.timedelta(days=10),
        installer_ids=installers,
    )
    services.bid_submit(
        actor=bidders["mulder@demo.test"], tender_id=survey.pk, prices={"building_work": "62.00"}
    )


REJECTION = {
    "flushing.strainer_photos": "Op de foto zit de zeef nog vol vuil: opnieuw spoelen en een nieuwe foto.",
    "checks.insulation": "De retourleiding in de meterkast is niet geïsoleerd.",
}


def _completions(project, lead, main) -> None:
    """Completions with evidence by the main contractor: one connected (its set in the register), one
    rejected with reasons and back for rework, one reported that waits for the review, one half filled
    in; and the project's installation budget."""
    planner = User.objects.filter(email=MAIN_CONTRACTOR_PLANNER).first()
    if planner is None:
        return
    homes = list(
        project.dwellings.filter(installer=main, state=DwellingState.INSTALLATION_PLANNED).order_by(
            "street", "house_number", "pk"
        )[:4]
    )
    for number, dwelling in enumerate(homes):
        skip = {"pressure_test.secondary_bar", "handover.signature"} if number == 3 else ()
        complete(dwelling, planner, serial=f"AS-2026-{dwelling.pk:05d}", seed=dwelling.pk, skip=skip)
        if number == 3:
            continue  # half filled in: the installer carries on at the next visit
        dwelling_transition(
            actor=planner,
            dwelling_id=dwelling.pk,
            transition="report_installed",
            installed_on=timezone.localdate(),
        )
        if number == 0:
            services.installation_confirm(actor=lead, dwelling_id=dwelling.pk)
        elif number == 1:
            services.installation_reject(actor=lead, dwelling_id=dwelling.pk, reasons=REJECTION)
    estimate = sum(row.estimate for row in costs_of(project.dwellings.all()))
    services.project_budget_set(
        actor=lead,
        project=project,
        budget=(estimate * Decimal("1.05")).quantize(Decimal("1")),
        overrun_margin=10,
    )


def _packages(project, lead, installers, today) -> int:
    main = installers[MAIN_CONTRACTOR]
    made = 0
    # The homes the history assigned to the main contractor: one accepted package, recorded as it was.
    assigned = list(project.dwellings.filter(installer=main).values_list("pk", flat=True))
    if assigned:
        package = WorkPackage.objects.create(
            project=project,
            number=1,
            name="Eerste fase (aangenomen)",
            status=PackageStatus.ACCEPTED,
            installer=main,
            agreement=main.agreements.first(),
            first_week=_monday(today, -8),
            last_week=_monday(today, 6),
            created_by=lead,
            offered_by=lead,
            offered_at=timezone.now() - datetime.timedelta(days=70),
            decided_at=timezone.now() - datetime.timedelta(days=68),
        )
        PackageDwelling.objects.bulk_create(
            PackageDwelling(package=package, dwelling_id=pk) for pk in assigned
        )
        made += 1
    # The agreed homes, street by street: an offer waiting for the main contractor, one declined by the
    # subcontractor, and a draft.
    streets = list(
        project.dwellings.filter(state=DwellingState.AGREED)
        .exclude(package_items__open=True)
        .values("street")
        .annotate(homes=Count("pk"))
        .order_by("-homes", "street")
        .values_list("street", flat=True)[:3]
    )
    installer_user = User.objects.filter(email=MAIN_CONTRACTOR_PLANNER).first()
    for index, street in enumerate(streets):
        homes = project.dwellings.filter(state=DwellingState.AGREED, street=street).exclude(
            package_items__open=True
        )
        package = services.package_create(
            actor=lead,
            project=project,
            name=street,
            dwelling_ids=list(homes.values_list("pk", flat=True)[:12]),
            first_week=_monday(today, 2 + index),
            last_week=_monday(today, 3 + index),
        )
        made += 1
        if index == 0:
            services.package_offer(actor=lead, package_id=package.pk, installer_id=main.pk)
        elif index == 1 and installer_user is not None:
            offered = services.package_offer(actor=lead, package_id=package.pk, installer_id=main.pk)
            services.package_decline(
                actor=installer_user,
                package_id=offered.pk,
                reason="Deze weken zit onze ploeg vol in Lindewijk; graag twee weken later.",
            )
    return made
