"""Connection projects, the parties taking part in them, and sub-teams."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .parties import Organisation, OrganisationKind


class ConnectionApproach(models.TextChoices):
    INDIVIDUAL = "individual", _("cooperative at individual level")
    BUILDING = "building", _("building level")
    AREA = "area", _("area-based")


class HeatCompanyKind(models.TextChoices):
    MUNICIPAL = "municipal", _("municipal")
    REGIONAL = "regional", _("regional / public")
    COOPERATIVE = "cooperative", _("cooperative")
    PRIVATE = "private", _("private")


class Project(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    municipality = models.CharField(_("municipality"), max_length=100)
    neighbourhood = models.CharField(_("neighbourhood"), max_length=100)
    connection_approach = models.CharField(
        _("connection approach"), max_length=16, choices=ConnectionApproach.choices
    )
    heat_company_kind = models.CharField(
        _("kind of heat company"), max_length=16, choices=HeatCompanyKind.choices
    )
    planned_dwellings = models.PositiveIntegerField(_("planned number of dwellings"))
    signup_threshold = models.PositiveSmallIntegerField(
        _("sign-up threshold (%)"),
        default=70,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The share of dwellings that must agree before construction goes ahead."),
    )
    private_share = models.PositiveSmallIntegerField(
        _("privately owned dwellings (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Estimated share of owner-occupied and privately rented dwellings."),
    )
    start_date = models.DateField(_("start date"))
    target_date = models.DateField(_("target date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__isnull=True) | Q(target_date__gte=models.F("start_date")),
                name="project_target_after_start",
                violation_error_message=_("The target date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(signup_threshold__gte=1, signup_threshold__lte=100),
                name="project_signup_threshold_percent",
            ),
            models.CheckConstraint(
                condition=Q(private_share__isnull=True) | Q(private_share__lte=100),
                name="project_private_share_percent",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:detail", kwargs={"slug": self.slug})

    def is_large(self) -> bool:
        return self.planned_dwellings >= settings.GOVERNANCE_LARGE_PROJECT_DWELLINGS

    def is_mostly_private(self) -> bool:
        return (
            self.private_share is not None
            and self.private_share >= settings.GOVERNANCE_MOSTLY_PRIVATE_PERCENT
        )


class Role(models.TextChoices):
    LEAD = "lead", _("lead party")
    HEAT_COMPANY = "heat_company", _("heat company")
    SURVEY_PARTY = "survey_party", _("survey party")
    MAIN_CONTRACTOR = "main_contractor", _("main contractor")
    SUBCONTRACTOR = "subcontractor", _("subcontractor")
    INSTALLER = "installer", _("installer")
    HOUSING_ASSOCIATION = "housing_association", _("housing association")
    COMMUNICATING_PARTY = "communicating_party", _("communicating party")
    MUNICIPALITY = "municipality", _("municipality")
    STAKEHOLDER = "stakeholder", _("stakeholder to involve early")


# Roles that only an organisation of a given kind can take. Other roles are open to every kind.
ROLE_KINDS = {
    Role.HEAT_COMPANY: {OrganisationKind.HEAT_COMPANY, OrganisationKind.HEAT_COOPERATIVE},
    Role.MAIN_CONTRACTOR: {OrganisationKind.INSTALLER},
    Role.SUBCONTRACTOR: {OrganisationKind.INSTALLER},
    Role.INSTALLER: {OrganisationKind.INSTALLER},
    Role.HOUSING_ASSOCIATION: {OrganisationKind.HOUSING_ASSOCIATION},
    Role.MUNICIPALITY: {OrganisationKind.MUNICIPALITY},
    Role.STAKEHOLDER: {OrganisationKind.GRID_OPERATOR, OrganisationKind.WATER_COMPANY},
}

INSTALLING_ROLES = (Role.MAIN_CONTRACTOR, Role.SUBCONTRACTOR, Role.INSTALLER)


class Phase(models.TextChoices):
    """The phases of the last metre; under a varying lead each has its own lead party."""

    SURVEY = "survey", _("survey")
    COMMUNICATION = "communication", _("communication")
    EXECUTION = "execution", _("execution")
    AFTERCARE = "aftercare", _("aftercare")


class Participation(models.Model):
    """An organisation taking part in a project in one role (one row per role)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="participations", verbose_name=_("project")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    phase = models.CharField(
        _("phase"),
        max_length=16,
        choices=Phase.choices,
        blank=True,
        help_text=_("Only for a lead party under a varying lead role: the phase it leads."),
    )
    involved_on = models.DateField(
        _("involved on"),
        null=True,
        blank=True,
        help_text=_("For stakeholders such as the grid operator: the date they were involved."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["project", "role", "organisation__name"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation", "role", "phase"],
                name="participation_unique_role",
                violation_error_message=_("This organisation already has this role in the project."),
            ),
            models.CheckConstraint(
                condition=Q(role=Role.LEAD) | Q(phase=""),
                name="participation_phase_only_for_lead",
                violation_error_message=_("Only a lead party has a phase."),
            ),
        ]

    def __str__(self):
        label = f"{self.organisation} – {self.get_role_display()}"
        if self.phase:
            label += f" ({self.get_phase_display()})"
        return label

    def clean(self):
        allowed = ROLE_KINDS.get(self.role)
        if allowed and self.organisation_id and self.organisation.kind not in allowed:
            raise ValidationError(
                {
                    "organisation": _("A %(kind)s cannot take the role %(role)s.")
                    % {
                        "kind": self.organisation.get_kind_display(),
                        "role": self.get_role_display(),
                    }
                }
            )

    def get_additional_data(self):
        # Stored with every audit log row so that a project's governance log can find it.
        return {"project_id": self.project_id}


class SubTeam(models.Model):
    """A sub-team of a large project, e.g. for one housing association's stock or one installer."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="subteams", verbose_name=_("project")
    )
    name = models.CharField(_("name"), max_length=100)
    covers = models.TextField(_("what it covers"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="subteams", blank=True, verbose_name=_("members")
    )

    class Meta:
        ordering = ["project", "name"]
        verbose_name = _("sub-team")
        verbose_name_plural = _("sub-teams")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                name="subteam_unique_name",
                violation_error_message=_("The project already has a sub-team with this name."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_additional_data(self):
        return {"project_id": self.project_id}
