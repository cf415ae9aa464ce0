"""The seven governance building blocks (bouwstenen) of a project.

The options are exactly those of the research report; ``projects.advisories`` holds its advice.
An empty value means the project has not made that choice yet. The lead parties themselves
(building block 1.1) and the communicating party (3.3) are participations of the project.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .project import Project


class LeadModel(models.TextChoices):  # 1.1
    CENTRAL = "central", _("central")
    VARYING = "varying", _("varying per phase")
    SHARED = "shared", _("shared")


class Collaboration(models.TextChoices):  # 1.2
    FORMAL = "formal", _("formal")
    INFORMAL = "informal", _("informal")


class CollaborationForm(models.TextChoices):  # 1.2, formal only
    PROJECT_TEAM = "project_team", _("regular project team")
    BUILDING_TEAM = "building_team", _("building team")
    CHAIN = "chain", _("chain collaboration")


class Agreement(models.TextChoices):  # 1.2
    NONE = "none", _("none")
    LETTER_OF_INTENT = "letter_of_intent", _("letter of intent only")
    SIGNED = "signed", _("signed collaboration agreement")


class ResponsibilityBoundary(models.TextChoices):  # 2.1
    FACADE = "facade", _("up to the facade")
    DELIVERY_SET = "delivery_set", _("up to and including the delivery set")
    FULL_CONNECTION = "full_connection", _("full connection")


class InstallerTiming(models.TextChoices):  # 2.2
    FROM_START = "from_start", _("from the start")
    LATER = "later", _("later on")


class InstallerStructure(models.TextChoices):  # 2.2
    MAIN_CONTRACTOR = "main_contractor", _("one main contractor with subcontractors")
    SEPARATE = "separate", _("several separate installers")


class SurveyCoverage(models.TextChoices):  # 3.1
    EVERY_DWELLING = "every_dwelling", _("every dwelling")
    SELECTION = "selection", _("a selection of dwellings")


class SurveyParties(models.TextChoices):  # 3.1
    ONE = "one", _("by one party")
    SEVERAL = "several", _("by several parties")


class SurveyVisits(models.TextChoices):  # 3.1
    ONCE = "once", _("once")
    SEVERAL = "several", _("several times")


class Procurement(models.TextChoices):  # 3.2
    AD_HOC = "ad_hoc", _("ad hoc tender")
    FRAMEWORK = "framework", _("long-term framework agreements")
    INTEGRATED = "integrated", _("integrated installer")


class Tender(models.TextChoices):  # 3.2
    SINGLE = "single", _("single tender")
    SPLIT = "split", _("split tender (survey and installation separately)")


class Communication(models.TextChoices):  # 3.3
    CENTRAL_ACTIVE = "central_active", _("central, active")
    CENTRAL_PASSIVE = "central_passive", _("central, passive")
    DISPERSED = "dispersed", _("dispersed")


def _choice(choices, verbose_name):
    return models.CharField(verbose_name, max_length=32, choices=choices.choices, blank=True)


def agreement_upload_to(instance, filename):
    return f"governance/{instance.project_id}/agreements/{filename}"


class Governance(models.Model):
    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="governance", verbose_name=_("project")
    )
    # 1.1 Lead role
    lead_model = _choice(LeadModel, _("lead role"))
    # 1.2 Collaboration structure
    collaboration = _choice(Collaboration, _("collaboration structure"))
    collaboration_form = _choice(CollaborationForm, _("form of formal collaboration"))
    agreement = models.CharField(
        _("collaboration agreement"),
        max_length=32,
        choices=Agreement.choices,
        default=Agreement.NONE,
    )
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    agreement_document = models.FileField(_("agreement document"), upload_to=agreement_upload_to, blank=True)
    # 2.1 Heat company's responsibility
    responsibility_boundary = _choice(ResponsibilityBoundary, _("heat company's responsibility"))
    # 2.2 Installer involvement
    installer_timing = _choice(InstallerTiming, _("installer involvement"))
    installer_structure = _choice(InstallerStructure, _("number of installers"))
    # 3.1 Survey
    survey_coverage = _choice(SurveyCoverage, _("dwellings surveyed"))
    survey_parties = _choice(SurveyParties, _("parties per survey"))
    survey_visits = _choice(SurveyVisits, _("visits per dwelling"))
    survey_sign_off = models.BooleanField(
        _("resident signs the survey record"),
        default=False,
        help_text=_(
            "The survey is complete only when the resident has signed on the tablet that it is right."
        ),
    )
    # 3.2 Installer procurement
    procurement = _choice(Procurement, _("installer procurement"))
    tender = _choice(Tender, _("tender"))
    # 3.3 Resident communication
    communication = _choice(Communication, _("resident communication"))

    # Optimistic locking: a form or API call carrying an older version is refused.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("governance")
        verbose_name_plural = _("governance")
        constraints = [
            models.CheckConstraint(
                condition=Q(collaboration=Collaboration.FORMAL) | Q(collaboration_form=""),
                name="governance_form_only_when_formal",
                violation_error_message=_("Only a formal collaboration has a form."),
            ),
            models.CheckConstraint(
                condition=~Q(agreement=Agreement.SIGNED) | Q(agreement_signed_on__isnull=False),
                name="governance_signed_agreement_has_date",
                violation_error_message=_("A signed agreement needs the date it was signed."),
            ),
        ]

    def __str__(self):
        return str(_("Governance of %(project)s") % {"project": self.project})

    def clean(self):
        errors = {}
        if self.collaboration != Collaboration.FORMAL and self.collaboration_form:
            errors["collaboration_form"] = _("Only a formal collaboration has a form.")
        if self.agreement == Agreement.SIGNED and not self.agreement_signed_on:
            errors["agreement_signed_on"] = _("A signed agreement needs the date it was signed.")
        if self.agreement != Agreement.SIGNED and self.agreement_signed_on:
            errors["agreement_signed_on"] = _("Only a signed agreement has a signing date.")
        if errors:
            raise ValidationError(errors)

    # The building blocks in display order: (number, title, fields).
    BLOCKS = (
        ("1.1", _("Lead role"), ("lead_model",)),
        (
            "1.2",
            _("Collaboration structure"),
            ("collaboration", "collaboration_form", "agreement", "agreement_signed_on"),
        ),
        ("2.1", _("Heat company's responsibility"), ("responsibility_boundary",)),
        ("2.2", _("Installer involvement"), ("installer_timing", "installer_structure")),
        ("3.1", _("Survey"), ("survey_coverage", "survey_parties", "survey_visits", "survey_sign_off")),
        ("3.2", _("Installer procurement"), ("procurement", "tender")),
        ("3.3", _("Resident communication"), ("communication",)),
    )

    def get_additional_data(self):
        return {"project_id": self.project_id}
