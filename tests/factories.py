import datetime

import factory
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from projects.models import (
    Agreement,
    Collaboration,
    CollaborationForm,
    Communication,
    ConnectionApproach,
    Contact,
    Dwelling,
    DwellingType,
    Governance,
    HeatCompanyKind,
    InstallerStructure,
    InstallerTiming,
    LeadModel,
    Organisation,
    OrganisationKind,
    Ownership,
    Participation,
    Procurement,
    Project,
    ResponsibilityBoundary,
    SurveyCoverage,
    SurveyParties,
    SurveyVisits,
    Tender,
    User,
    WorkRole,
)

PASSWORD = "correct-horse-battery"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = OrganisationKind.HEAT_COMPANY
    city = "Amstelhoven"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Gebruiker {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    # Everything the organisation may do, as everyone could before people had roles of their own;
    # traits narrow it down.
    work_roles = [WorkRole.ADMINISTRATOR, WorkRole.COORDINATOR, WorkRole.PLANNER, WorkRole.COMMUNICATION]
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        field_worker = factory.Trait(work_roles=[WorkRole.FIELD_WORKER])
        read_only = factory.Trait(work_roles=[WorkRole.READ_ONLY])

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class GovernanceFactory(DjangoModelFactory):
    """The advised choices of every building block; traits switch to undecided."""

    class Meta:
        model = Governance

    project = factory.SubFactory("tests.factories.ProjectFactory", governance=None)
    lead_model = LeadModel.CENTRAL
    collaboration = Collaboration.FORMAL
    collaboration_form = CollaborationForm.BUILDING_TEAM
    agreement = Agreement.SIGNED
    agreement_signed_on = datetime.date(2026, 2, 1)
    responsibility_boundary = ResponsibilityBoundary.DELIVERY_SET
    installer_timing = InstallerTiming.FROM_START
    installer_structure = InstallerStructure.MAIN_CONTRACTOR
    survey_coverage = SurveyCoverage.EVERY_DWELLING
    survey_parties = SurveyParties.ONE
    survey_visits = SurveyVisits.ONCE
    procurement = Procurement.FRAMEWORK
    tender = Tender.SINGLE
    communication = Communication.CENTRAL_ACTIVE

    class Params:
        undecided = factory.Trait(
            lead_model="",
            collaboration="",
            collaboration_form="",
            agreement=Agreement.NONE,
            agreement_signed_on=None,
            responsibility_boundary="",
            installer_timing="",
            installer_structure="",
            survey_coverage="",
            survey_parties="",
            survey_visits="",
            procurement="",
            tender="",
            communication="",
        )


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Warmtenet Wijk {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    municipality = "Amstelhoven"
    neighbourhood = factory.Sequence(lambda n: f"Wijk {n}")
    connection_approach = ConnectionApproach.AREA
    heat_company_kind = HeatCompanyKind.REGIONAL
    planned_dwellings = 100
    signup_threshold = 70
    private_share = 30
    start_date = datetime.date(2026, 1, 1)
    target_date = datetime.date(2028, 1, 1)
    governance = factory.RelatedFactory(GovernanceFactory, factory_related_name="project")


class ParticipationFactory(DjangoModelFactory):
    class Meta:
        model = Participation

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "lead"
    phase = ""


class DwellingFactory(DjangoModelFactory):
    """A dwelling; pass ``state=`` to start it anywhere (the protected field is set at construction)."""

    class Meta:
        model = Dwelling

    project = factory.SubFactory(ProjectFactory)
    postcode = factory.Sequence(
        lambda n: f"{1000 + n // 26 % 9000} {chr(65 + n % 26)}{chr(65 + n // 234 % 26)}"
    )
    house_number = factory.Sequence(lambda n: n % 300 + 1)
    street = factory.Sequence(lambda n: f"Lindelaan {n}")
    city = "Amstelhoven"
    ownership = Ownership.OWNER_OCCUPIED
    dwelling_type = DwellingType.MID_TERRACE
    build_year = 1965
    cluster = "Blok A"


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    dwelling = factory.SubFactory(DwellingFactory)
    role = "owner"
    name = factory.Sequence(lambda n: f"Bewoner {n}")
    email = factory.Sequence(lambda n: f"bewoner{n}@example.test")
    phone = "0612345678"


def _tiny_png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (8, 6), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def survey_answers(by: str = "surveyor") -> dict:
    """An answer to every question of the survey schema, as the tablet would send it."""
    from surveys.schema import all_fields

    answers = {}
    for section, schema_field in all_fields():
        key = f"{section.name}.{schema_field.name}"
        value = {
            "choice": lambda f: f.choices[0][0],
            "multichoice": lambda f: [code for code, _label in f.choices],
            "number": lambda f: 4,
            "text": lambda f: f"{f.label} (ingevuld)",
            "longtext": lambda f: f"{f.label}: genoteerd tijdens de schouw.",
        }.get(schema_field.kind)
        if value is not None:
            answers[key] = {"value": value(schema_field), "by": by}
    return answers


def fill_survey(dwelling, *, by=None):
    """A complete survey for ``dwelling``: every answer, the works and one photo per photo field."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from surveys.models import Photo, Survey
    from surveys.schema import all_fields

    by = (
        by
        or dwelling.surveyor
        or UserFactory(organisation=dwelling.project.participations.first().organisation)
    )
    survey, _created = Survey.objects.update_or_create(
        dwelling=dwelling,
        defaults={
            "answers": survey_answers(),
            "works": [
                {"work": "delivery_set", "responsible": "heat_company"},
                {"work": "remove_boiler", "responsible": "owner"},
            ],
        },
    )
    for section, schema_field in all_fields():
        if schema_field.kind == "photos" and schema_field.min_photos:
            Photo.objects.create(
                survey=survey,
                field=f"{section.name}.{schema_field.name}",
                uploaded_by=by,
                image=SimpleUploadedFile("foto.png", _tiny_png(), content_type="image/png"),
            )
    return survey
