"""A full world to walk: one project with every kind of object the pages and the API can point at.

``build_world()`` makes a project with all party kinds, dwellings in every state with their people, a
survey with answers and a photo, visits, connection plans, slots, a job of every kind, a sub-team, a
sample, an audit trail, and a few platform objects (an API token, a group, login attempts, scheduled
tasks). Every value that identifies the project, its people or its residents is distinctive and listed
in ``world.secrets`` (the residents' part per home in ``world.home_secrets``, the organisations' names
in ``world.organisation_names``), so that a test can look for them in a page it should not see.

``build_outsiders()`` makes another project with one person per organisation kind, each taking part
only there: people to whom the first world does not exist.

The module is generic: it knows nothing of routes or expectations. Call it inside a test that may use
the database (``db``); files go to the storage of the moment (the tests' MEDIA_ROOT).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.utils import timezone

from projects.models import (
    ApiToken,
    Contact,
    Dwelling,
    DwellingTransition,
    Job,
    Organisation,
    OrganisationKind,
    Project,
    Role,
    SubTeam,
    User,
)
from tests.factories import (
    ContactFactory,
    DwellingFactory,
    OrganisationFactory,
    ParticipationFactory,
    ProjectFactory,
    UserFactory,
    fill_survey,
    survey_answers,
)

# A minimal PDF: the pages only hand the file back, they do not read it.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# One street per state: each is a word that appears nowhere else, so that finding it in a page means
# that the page shows that dwelling.
STREETS = {
    "registered": "Gruttolaan",
    "informed": "Kievitlaan",
    "survey_planned": "Tureluurlaan",
    "surveyed": "Wulpstraat",
    "plan_ready": "Scholeksterweg",
    "agreed": "Lepelaarpad",
    "assigned": "Roerdompstraat",
    "installation_planned": "Bontbekplevierweg",
    "installed": "Zwarte Sternstraat",
    "connected": "Kemphaanlaan",
    "declined": "Watersnippad",
    "on_hold": "Oeverloperlaan",
    "withdrawn": "Kluutstraat",
}
RESIDENTS = {
    "registered": "Hendrika Wielewaal",
    "informed": "Bartholomeus Goudvink",
    "survey_planned": "Cornelia Zwartkop",
    "surveyed": "Dirkje Boomklever",
    "plan_ready": "Evert Grasmus",
    "agreed": "Fokje Barmsijs",
    "assigned": "Gerolf Keep",
    "installation_planned": "Hiltje Putter",
    "installed": "Ids Sijsje",
    "connected": "Jeltje Kneu",
    "declined": "Klaas Frater",
    "on_hold": "Lieuwkje Appelvink",
    "withdrawn": "Menno Kruisbek",
}


@dataclass
class World:
    """The objects of one project, by what they are; ``secrets`` are the values that identify them."""

    project: Project
    organisations: dict[str, Organisation]
    people: dict[str, User]
    dwellings: dict[str, Dwelling]  # by state
    contacts: dict[str, Contact]  # the resident (or owner-occupier) of each dwelling, by state
    jobs: dict[str, Job]  # by kind
    objects: dict[str, object] = field(default_factory=dict)  # everything else, by name
    secrets: list[str] = field(default_factory=list)
    home_secrets: dict[int, list[str]] = field(default_factory=dict)  # per dwelling id
    organisation_names: list[str] = field(default_factory=list)

    def secrets_of_homes(self, *, except_ids=()) -> list[str]:
        return [value for pk, values in self.home_secrets.items() if pk not in except_ids for value in values]


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def build_world(word: str = "Kwartelkoning") -> World:
    """The project "Warmtenet <word>" with every party, state and kind of object; see the module."""
    from auditlog.models import LogEntry
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    from procurement.models import (
        Certificate,
        Completion,
        CompletionPhoto,
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
    from surveys.models import ConnectionPlan, Photo, Survey, SurveySlot, Visit

    project = ProjectFactory(
        name=f"Warmtenet {word}",
        slug=f"warmtenet-{word.lower()}",
        neighbourhood=f"{word}buurt",
        municipality=f"{word}stad",
    )
    governance = project.governance
    governance.agreement_document.save("samenwerkingsovereenkomst.pdf", ContentFile(PDF), save=True)

    kinds = {
        "lead": (OrganisationKind.HEAT_COMPANY, [Role.LEAD, Role.HEAT_COMPANY]),
        "survey": (OrganisationKind.INSTALLER, [Role.SURVEY_PARTY]),
        "installer": (OrganisationKind.INSTALLER, [Role.INSTALLER, Role.MAIN_CONTRACTOR]),
        "association": (OrganisationKind.HOUSING_ASSOCIATION, [Role.HOUSING_ASSOCIATION]),
        "municipality": (OrganisationKind.MUNICIPALITY, [Role.MUNICIPALITY]),
        "cooperative": (OrganisationKind.HEAT_COOPERATIVE, [Role.COMMUNICATING_PARTY]),
        "grid": (OrganisationKind.GRID_OPERATOR, [Role.STAKEHOLDER]),
        "water": (OrganisationKind.WATER_COMPANY, [Role.STAKEHOLDER]),
    }
    organisations = {}
    for name, (kind, roles) in kinds.items():
        organisation = OrganisationFactory(
            kind=kind,
            name=f"{word} {name.capitalize()} BV",
            slug=f"{word.lower()}-{name}",
            email=f"{name}@{word.lower()}.test",
        )
        organisations[name] = organisation
        for role in roles:
            involved = datetime.date(2026, 1, 15) if role == Role.STAKEHOLDER else None
            ParticipationFactory(project=project, organisation=organisation, role=role, involved_on=involved)

    def person(key, organisation, **kwargs):
        return UserFactory(
            organisation=organisations[organisation],
            first_name=key.capitalize(),
            last_name=f"{word}{key}",
            email=f"{key}@personen.{word.lower()}.test",
            **kwargs,
        )

    people = {
        "coordinator": person("coordinator", "lead"),
        "colleague": person("colleague", "lead", work_roles=["planner"]),  # a colleague to manage
        "planner": person("planner", "survey"),
        "surveyor": person("surveyor", "survey", field_worker=True),  # the homes below are planned for them
        "technician": person("technician", "installer"),
        "communicator": person("communicator", "cooperative"),
    }
    surveyor, survey_party, installer = (
        people["surveyor"],
        organisations["survey"],
        organisations["installer"],
    )

    now = timezone.now()
    appointment = _at(3, 10)
    reached = {  # what a dwelling has by the time it is in a state on the main path
        "survey_planned": {
            "survey_party": survey_party,
            "surveyor": surveyor,
            "survey_appointment_at": appointment,
        },
        "surveyed": {"survey_completed_at": now - datetime.timedelta(days=20), "visit_count": 1},
        "plan_ready": {"plan_approved_at": now - datetime.timedelta(days=10)},
        "agreed": {
            "signatory": "owner_occupier",
            "signatory_name": "",
            "agreement_signed_on": datetime.date(2026, 3, 1),
        },
        "assigned": {"installer": installer},
        "installation_planned": {"installation_planned_on": datetime.date(2027, 3, 15)},
        "installed": {"installed_on": datetime.date(2027, 3, 15)},
        "connected": {"connected_on": datetime.date(2027, 3, 20)},
    }
    main_path = list(reached)

    def fields_up_to(state):
        values = {}
        if state in reached:
            for step in main_path[: main_path.index(state) + 1]:
                values.update(reached[step])
        return values

    side = {
        "declined": {"state_reason": f"{word}: wil niet aansluiten"},
        "on_hold": {"held_state": "informed", "state_reason": f"{word}: verbouwing"},
        "withdrawn": {"state_reason": f"{word}: sloop"},
    }
    dwellings, contacts, home_secrets = {}, {}, {}
    for number, (state, street) in enumerate(STREETS.items(), start=1):
        extra = fields_up_to(state) | side.get(state, {})
        if state == "agreed":
            extra["signatory_name"] = RESIDENTS[state]
        if state == "plan_ready":  # a housing association's home: its tenant is the resident
            extra.update(ownership="housing_association", housing_association=organisations["association"])
        dwelling = DwellingFactory(
            project=project,
            state=state,
            street=street,
            house_number=number,
            postcode=f"9{number:03d} KK",
            cluster=f"Blok {word}",
            extra_care=True,
            extra_care_note=f"Zorgnotitie {street}: slechthorend, lang aanbellen",
            **extra,
        )
        slug = street.lower().replace(" ", "")
        resident = ContactFactory(
            dwelling=dwelling,
            role="resident" if state == "plan_ready" else "owner",
            name=RESIDENTS[state],
            email=f"{slug}@bewoners.test",
            phone=f"06-{number:02d}{number:02d} 7{number:03d}",
        )
        dwellings[state], contacts[state] = dwelling, resident
        home_secrets[dwelling.pk] = [
            street,
            resident.name,
            resident.email,
            resident.phone,
            dwelling.extra_care_note,
        ]
    agreed = dwellings["agreed"]
    agreed.agreement_document.save("getekend.pdf", ContentFile(PDF), save=True)

    # The survey: a complete one with its photos for the surveyed home, a started one (answers, one
    # photo, an earlier visit nobody was home) for the home whose visit is planned.
    fill_survey(dwellings["surveyed"], by=surveyor)
    Visit.objects.create(
        dwelling=dwellings["surveyed"],
        surveyor=surveyor,
        started_at=now - datetime.timedelta(days=20, hours=1),
        finished_at=now - datetime.timedelta(days=20),
        outcome="completed",
        note=f"{word}: hond in de tuin",
    )
    planned = dwellings["survey_planned"]
    answers = dict(list(survey_answers().items())[:5])
    survey = Survey.objects.create(dwelling=planned, answers=answers)
    photo = Photo.objects.create(
        survey=survey,
        field="delivery_set.photos",
        uploaded_by=surveyor,
        image=ContentFile(png(), name="foto.png"),
    )
    visit = Visit.objects.create(
        dwelling=planned,
        surveyor=surveyor,
        started_at=now - datetime.timedelta(days=7, hours=1),
        finished_at=now - datetime.timedelta(days=7),
        outcome="not_home",
    )
    fill_survey(dwellings["plan_ready"], by=surveyor)

    # Connection plans: both versions for the home whose plan is ready.
    plans = {}
    for variant in ("full", "installer"):
        plans[variant] = ConnectionPlan.objects.create(
            dwelling=dwellings["plan_ready"],
            variant=variant,
            version=1,
            survey_version=1,
            source_hash=f"{variant:0>64}",
            file=ContentFile(PDF, name=f"aansluitplan-{variant}.pdf"),
            size=len(PDF),
            made_by=people["coordinator"],
        )

    slots = {
        "published": SurveySlot.objects.create(
            project=project,
            surveyor=surveyor,
            starts_at=_at(4, 9),
            published=True,
            created_by=people["planner"],
        ),
        "hidden": SurveySlot.objects.create(
            project=project, surveyor=surveyor, starts_at=_at(4, 11), created_by=people["planner"]
        ),
    }

    coordinator = people["coordinator"]
    jobs = {
        "import": Job.objects.create(
            project=project,
            kind=Job.Kind.IMPORT,
            created_by=coordinator,
            status=Job.Status.DONE,
            total=3,
            processed=3,
            params={"filename": f"register-{word.lower()}.csv"},
            result={"imported": True, "created": 1, "updated": 1, "unchanged": 1, "rejected": 1},
            input_file=ContentFile(f"straat\n{STREETS['registered']}\n".encode(), name="register.csv"),
            output_file=ContentFile(
                f"straat,fout\n{STREETS['registered']},?\n".encode(), name="afgewezen.csv"
            ),
        ),
        "bulk_transition": Job.objects.create(
            project=project,
            kind=Job.Kind.BULK_TRANSITION,
            created_by=coordinator,
            status=Job.Status.DONE,
            params={"transition": "inform", "dwelling_ids": [dwellings["registered"].pk]},
            result={"moved": 1, "skipped": [[dwellings["informed"].pk, str(dwellings["informed"]), "-"]]},
        ),
        "plan_batch": Job.objects.create(
            project=project,
            kind=Job.Kind.PLAN_BATCH,
            created_by=coordinator,
            status=Job.Status.DONE,
            params={"scope": "project", "dwelling_ids": [dwellings["plan_ready"].pk]},
            result={"made": 1, "unchanged": 0, "failed": []},
        ),
        # The lead party's dwellings as XLSX, made by the progress app (kept with an expiring link).
        "dwelling_export": Job.objects.create(
            project=project,
            kind="dwelling_export",
            created_by=coordinator,
            status=Job.Status.DONE,
            finished_at=timezone.now(),
            total=1,
            processed=1,
            result={"rows": 1},
            output_file=ContentFile(b"PK-not-a-real-workbook", name="woningen.xlsx"),
        ),
        "area_planning": Job.objects.create(
            project=project,
            kind=Job.Kind.AREA_PLANNING,
            created_by=people["planner"],
            status=Job.Status.DONE,
            params={"token": uuid.uuid4().hex, "assignments": [], "visit_minutes": 60},
            result={"moved": 0, "skipped": []},
        ),
    }

    # The log of a move, as the transition service writes it.
    transition = DwellingTransition.objects.create(
        dwelling=dwellings["surveyed"],
        transition="record_survey",
        source="survey_planned",
        target="surveyed",
        actor=surveyor,
        organisation=survey_party,
    )

    subteam = SubTeam.objects.create(project=project, name=f"Team {word} Noord", covers=f"Blok {word}")
    subteam.members.set([coordinator, people["planner"]])
    surveyed = dwellings["surveyed"]
    Dwelling.objects.filter(pk=surveyed.pk).update(in_sample=True)

    # The history of a dwelling and its people: a correction through the register's service.
    from projects.services import dwelling_save

    informed = dwellings["informed"]
    dwelling_save(
        actor=coordinator,
        project=project,
        dwelling=informed,
        fields={"floor_area": 112},
        contacts={
            "owner": {
                "name": contacts["informed"].name,
                "email": contacts["informed"].email,
                "phone": contacts["informed"].phone,
            }
        },
    )
    log_entry = LogEntry.objects.filter(additional_data__project_id=project.pk).order_by("pk").first()

    # Platform objects that point at the project's people.
    token, token_key = ApiToken.objects.create(user=coordinator, name=f"Koppeling {word}")
    group = Group.objects.create(name=f"{word} beheer")
    axes_values = {
        "username": coordinator.email,
        "ip_address": "192.0.2.7",
        "user_agent": f"{word}-browser",
        "http_accept": "text/html",
        "path_info": "/login/",
    }
    attempt = AccessAttempt.objects.create(get_data="", post_data="", failures_since_start=2, **axes_values)
    access_log = AccessLog.objects.create(**axes_values)
    failure = AccessFailureLog.objects.create(**axes_values)
    interval = IntervalSchedule.objects.create(every=17, period=IntervalSchedule.DAYS)
    periodic = PeriodicTask.objects.create(
        name=f"{word} opruimen", task="projects.tasks.nothing", interval=interval
    )
    # A work package of the agreed home, offered to the project's installer under a framework agreement.
    lead = organisations["lead"]
    agreement = FrameworkAgreement.objects.create(
        reference=f"RO-{word}",
        contracting_party=lead,
        installer=installer,
        scope="both",
        starts_on=now.date() - datetime.timedelta(days=365),
        ends_on=now.date() + datetime.timedelta(days=365),
        status="active",
    )
    monday = now.date() + datetime.timedelta(days=7 - now.date().weekday())
    package = WorkPackage.objects.create(
        project=project,
        number=1,
        name=f"Pakket {word}",
        status="offered",
        installer=installer,
        agreement=agreement,
        first_week=monday,
        last_week=monday + datetime.timedelta(weeks=2),
        created_by=coordinator,
        offered_by=coordinator,
        offered_at=now,
    )
    PackageDwelling.objects.create(package=package, dwelling=dwellings["agreed"])
    # An accepted package, whose installer offers days for the residents to choose.
    accepted_package = WorkPackage.objects.create(
        project=project,
        number=2,
        name=f"Pakket {word} (aanvaard)",
        status="accepted",
        installer=installer,
        agreement=agreement,
        first_week=monday + datetime.timedelta(weeks=3),
        last_week=monday + datetime.timedelta(weeks=4),
        created_by=coordinator,
        offered_by=coordinator,
        offered_at=now,
    )
    rate = UnitRate.objects.create(agreement=agreement, work="delivery_set", price="1450.00")
    pool = Pool.objects.create(name=f"Pool {word}", owner=lead)
    pool.agreements.add(agreement)
    choice = ProjectProcurement.objects.create(project=project, pool=pool, main_contractor=installer)
    profile = InstallerProfile.objects.create(
        organisation=installer, connections_per_week=12, contact_name=f"Planner {word}"
    )
    certificate = Certificate.objects.create(
        organisation=installer,
        kind="heat_network",
        number=f"CERT-{word}",
        valid_until=now.date() + datetime.timedelta(days=400),
    )
    # The installed home's checklist, with a photo; the connected home's delivery set in the register.
    completion = Completion.objects.create(
        dwelling=dwellings["installed"],
        installer=installer,
        answers={"delivery_set.serial_number": f"DS-{word}", "heat_meter.meter_number": f"HM-{word}"},
    )
    completion_photo = CompletionPhoto.objects.create(
        completion=completion,
        item="delivery_set.set_photos",
        uploaded_by=coordinator,
        image=ContentFile(png(), name="set.png"),
    )
    delivery_set = DeliverySet.objects.create(
        serial_number=f"DS-{word}-1",
        dwelling=dwellings["connected"],
        project=project,
        owner=lead,
        installer=installer,
        meter_number=f"HM-{word}-1",
        seal_numbers="S-1",
        installed_on=datetime.date(2027, 3, 15),
        connected_on=datetime.date(2027, 3, 20),
        registered_by=coordinator,
    )
    review = InstallationReview.objects.create(
        dwelling=dwellings["connected"],
        installer=installer,
        decision="confirmed",
        reviewed_by=coordinator,
        reviewed_at=now,
    )

    tender = Tender.objects.create(
        project=project,
        title=f"Aanbesteding {word}",
        scope="installation",
        deadline=now.date() + datetime.timedelta(days=30),
        created_by=coordinator,
    )
    tender.invited.add(installer)
    bid = tender.bids.create(
        installer=installer, prices={"delivery_set": "1450.00"}, submitted_by=coordinator, submitted_at=now
    )

    from communication.models import (
        Campaign,
        CommunicationSettings,
        LetterBatch,
        Message,
        MessageRequest,
        Template,
    )

    CommunicationSettings.objects.create(project=project, contact_name=f"Loket {word}", automatic=False)
    template = Template.objects.create(
        project=project,
        key="custom",
        name=f"Eigen bericht {word}",
        email_subject=f"Onderwerp {word}",
        email_body="Beste ((name)), eigen bericht.",
        sms_body="((sender)): eigen bericht",
        letter_body="Beste ((name)), eigen bericht.",
    )
    campaign = Campaign.objects.create(
        project=project,
        organisation=organisations["lead"],
        name=f"Campagne {word}",
        template_key="custom",
        template=template,
        created_by=coordinator,
    )
    letter_batch = LetterBatch.objects.create(project=project, campaign=campaign, letters=1, pages=2)
    letter_batch.pdf.save(f"letters-{word}.pdf", ContentFile(b"%PDF-1.4\n% Brieven " + word.encode()))
    message = Message.objects.create(
        project=project,
        dwelling=dwellings["informed"],
        contact=contacts["informed"],
        recipient_name=contacts["informed"].name,
        campaign=campaign,
        template_key="custom",
        channel="email",
        language="nl",
        address=contacts["informed"].email or f"{word.lower()}@example.test",
        subject=f"Onderwerp {word}",
        body=f"Bericht {word} aan {contacts['informed'].name}",
    )
    message_request = MessageRequest.objects.create(
        project=project,
        requested_by=installer,
        communicating_party=organisations["lead"],
        text=f"Installatie {word}: woensdag geen warm water",
        created_by=coordinator,
    )
    message_request.dwellings.add(dwellings["installation_planned"])

    from portal.links import link_issue
    from portal.models import Acceptance, Meeting, MeetingReply, PortalLink, Question, SoundingBoardMember

    portal_code = link_issue(contacts["informed"])
    acceptance = Acceptance(
        dwelling=dwellings["agreed"],
        contact=contacts["agreed"],
        kind="agreement",
        identity_check=f"Persoonlijke link en code per e-mail ({word})",
        text_digest="0" * 64,
    )
    acceptance.document.save(f"akkoord-{word}.pdf", ContentFile(b"%PDF-1.4\n% Akkoord " + word.encode()))
    question = Question(
        project=project,
        dwelling=dwellings["informed"],
        contact=contacts["informed"],
        text=f"Vraag {word}: mag de kat binnen blijven?",
        addressed_to=organisations["lead"],
        client_id=uuid.uuid4(),
    )
    question.photo.save(f"vraag-{word}.png", ContentFile(png()), save=False)
    question.save()
    meeting = Meeting.objects.create(
        project=project,
        kind="information_evening",
        title=f"Informatieavond {word}",
        starts_at=timezone.now() + datetime.timedelta(days=10),
        place=f"Buurthuis {word}",
        created_by=coordinator,
    )

    from progress.models import MonthlyReport

    monthly_report = MonthlyReport.objects.create(
        kind=MonthlyReport.Kind.PROJECT,
        project=project,
        organisation=organisations["lead"],
        month=timezone.localdate().replace(day=1),
        status=MonthlyReport.Status.DONE,
        made_at=timezone.now(),
        file=ContentFile(b"%PDF-1.7 not a real report", name=f"voortgang-{word.lower()}.pdf"),
    )

    objects = {
        "monthly_report": monthly_report,
        "portal_code": portal_code,
        "meeting": meeting,
        "meeting_reply": MeetingReply.objects.create(
            meeting=meeting, contact=contacts["informed"], coming=True, people=2
        ),
        "board_member": SoundingBoardMember.objects.create(project=project, contact=contacts["informed"]),
        "portal_link": PortalLink.objects.get(contact=contacts["informed"]),
        "acceptance": acceptance,
        "question": question,
        "message_request": message_request,
        "campaign": campaign,
        "message": message,
        "template": template,
        "letter_batch": letter_batch,
        "tender": tender,
        "bid": bid,
        "completion": completion,
        "completion_photo": completion_photo,
        "delivery_set": delivery_set,
        "review": review,
        "package": package,
        "accepted_package": accepted_package,
        "agreement": agreement,
        "rate": rate,
        "pool": pool,
        "procurement": choice,
        "installer_profile": profile,
        "certificate": certificate,
        "governance": governance,
        "survey": survey,
        "photo": photo,
        "visit": visit,
        "transition": transition,
        "plans": plans,
        "slots": slots,
        "subteam": subteam,
        "participation": project.participations.get(role=Role.MUNICIPALITY),
        "log_entry": log_entry,
        "token": token,
        "token_key": token_key,
        "group": group,
        "access_attempt": attempt,
        "access_log": access_log,
        "access_failure": failure,
        "interval": interval,
        "crontab": CrontabSchedule.objects.create(minute="17", hour="3"),
        "solar": SolarSchedule.objects.create(event="sunrise", latitude=52.37, longitude=4.9),
        "clocked": ClockedSchedule.objects.create(clocked_time=_at(30, 3)),
        "periodic_task": periodic,
    }

    secrets = [
        project.name,
        project.slug,
        project.neighbourhood,
        token_key,
        token.name,
        subteam.name,
        package.name,
        agreement.reference,
        pool.name,
        certificate.number,
        profile.contact_name,
        *(user.email for user in people.values()),
        *(user.last_name for user in people.values()),
        *(value for values in home_secrets.values() for value in values),
    ]
    return World(
        project=project,
        organisations=organisations,
        people=people,
        dwellings=dwellings,
        contacts=contacts,
        jobs=jobs,
        objects=objects,
        secrets=secrets,
        home_secrets=home_secrets,
        organisation_names=[organisation.name for organisation in organisations.values()],
    )


# The role each kind of organisation takes in its own project (the strongest it can hold).
OUTSIDER_ROLES = {
    OrganisationKind.HEAT_COMPANY: [Role.LEAD, Role.HEAT_COMPANY, Role.COMMUNICATING_PARTY],
    OrganisationKind.MUNICIPALITY: [Role.MUNICIPALITY, Role.LEAD],
    OrganisationKind.INSTALLER: [Role.MAIN_CONTRACTOR, Role.INSTALLER, Role.SURVEY_PARTY],
    OrganisationKind.HOUSING_ASSOCIATION: [Role.HOUSING_ASSOCIATION],
    OrganisationKind.HEAT_COOPERATIVE: [Role.COMMUNICATING_PARTY, Role.HEAT_COMPANY],
    OrganisationKind.GRID_OPERATOR: [Role.STAKEHOLDER],
    OrganisationKind.WATER_COMPANY: [Role.STAKEHOLDER],
}
# The apps whose admin an organisation's staff works in.
STAFF_APPS = ("projects", "surveys", "procurement", "auditlog")


def build_outsider(kind: str) -> User:
    """A person of a new organisation of ``kind`` that takes part only in a project of its own, with every
    work role and the admin of the domain's apps: all the power a person can have, elsewhere."""
    project = ProjectFactory()
    organisation = OrganisationFactory(kind=kind)
    for role in OUTSIDER_ROLES[kind]:
        involved = datetime.date(2026, 1, 15) if role == Role.STAKEHOLDER else None
        ParticipationFactory(project=project, organisation=organisation, role=role, involved_on=involved)
    DwellingFactory(project=project, state="informed")
    user = UserFactory(
        organisation=organisation,
        is_staff=True,
        work_roles=["administrator", "coordinator", "planner", "communication"],
    )
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=STAFF_APPS))
    return user


def png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (8, 6), (40, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()
