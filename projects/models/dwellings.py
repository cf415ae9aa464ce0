"""The dwelling register, the people of each dwelling, and the connection state machine."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from projects.states import (
    ACTIVE_STATES,
    DECLINABLE_STATES,
    MAIN_PATH,
    WITHDRAWABLE_STATES,
    DwellingState,
    Signatory,
)

from .parties import Organisation
from .project import Project

S = DwellingState

postcode_validator = RegexValidator(r"^[1-9][0-9]{3} [A-Z]{2}$", _("Enter a postcode like 1234 AB."))
bag_id_validator = RegexValidator(r"^[0-9]{16}$", _("A BAG object id has 16 digits."))


class Ownership(models.TextChoices):
    OWNER_OCCUPIED = "owner_occupied", _("owner-occupied")
    PRIVATE_RENTAL = "private_rental", _("private rental")
    HOUSING_ASSOCIATION = "housing_association", _("housing association")


class DwellingType(models.TextChoices):
    DETACHED = "detached", _("detached")
    SEMI_DETACHED = "semi_detached", _("semi-detached")
    END_OF_TERRACE = "end_of_terrace", _("end-of-terrace")
    MID_TERRACE = "mid_terrace", _("mid-terrace")
    APARTMENT = "apartment", _("apartment")
    OTHER = "other", _("other")


ENERGY_LABELS = ["A++++", "A+++", "A++", "A+", "A", "B", "C", "D", "E", "F", "G"]
EnergyLabel = models.TextChoices("EnergyLabel", [(label, label) for label in ENERGY_LABELS])


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("letter")


def _allowed(rule):
    """A django-fsm permission that defers to ``projects.permissions`` (which imports this module)."""

    def check(dwelling, user):
        from projects import permissions

        return getattr(permissions, rule)(user, dwelling)

    check.__name__ = rule
    return check


def agreement_upload_to(instance, filename):
    return f"dwellings/{instance.project_id}/{instance.pk}/agreement/{filename}"


class Dwelling(ConcurrentTransitionMixin, models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="dwellings", verbose_name=_("project")
    )
    # Address as the national register (BAG) has it.
    postcode = models.CharField(_("postcode"), max_length=7, validators=[postcode_validator])
    house_number = models.PositiveIntegerField(
        _("house number"), validators=[MinValueValidator(1), MaxValueValidator(99999)]
    )
    house_letter = models.CharField(_("house letter"), max_length=1, blank=True)
    house_number_addition = models.CharField(_("addition"), max_length=4, blank=True)
    street = models.CharField(_("street"), max_length=120)
    city = models.CharField(_("city"), max_length=80)
    bag_id = models.CharField(_("BAG object id"), max_length=16, blank=True, validators=[bag_id_validator])
    # Ownership and building.
    ownership = models.CharField(_("ownership"), max_length=24, choices=Ownership.choices)
    housing_association = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="owned_dwellings",
        verbose_name=_("housing association"),
        null=True,
        blank=True,
        limit_choices_to={"kind": "housing_association"},
    )
    owners_association = models.CharField(
        _("owners' association (VvE)"),
        max_length=120,
        blank=True,
        help_text=_("For an apartment in an owners' association: its name."),
    )
    dwelling_type = models.CharField(_("dwelling type"), max_length=16, choices=DwellingType.choices)
    build_year = models.PositiveSmallIntegerField(
        _("build year"), null=True, blank=True, validators=[MinValueValidator(1000)]
    )
    energy_label = models.CharField(_("energy label"), max_length=5, choices=EnergyLabel.choices, blank=True)
    floor_area = models.PositiveIntegerField(_("floor area (m²)"), null=True, blank=True)
    listed_monument = models.BooleanField(_("listed monument"), default=False)
    cluster = models.CharField(
        _("cluster"), max_length=80, blank=True, help_text=_("Street, block or building, for planning.")
    )
    # Extra care: visible as a flag to everyone who sees the dwelling; the note only to the lead and
    # the communicating party.
    extra_care = models.BooleanField(_("extra care"), default=False)
    extra_care_note = models.TextField(_("extra care note"), blank=True)

    # The state machine.
    state = FSMField(
        _("state"), choices=DwellingState.choices, default=S.REGISTERED, protected=True, db_index=True
    )
    held_state = models.CharField(
        _("held in state"), max_length=24, choices=DwellingState.choices, blank=True
    )
    state_reason = models.TextField(_("reason"), blank=True)
    state_changed_at = models.DateTimeField(_("state changed at"), default=timezone.now)
    # Survey.
    survey_party = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="surveyed_dwellings",
        verbose_name=_("survey party"),
        null=True,
        blank=True,
    )
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="survey_dwellings",
        verbose_name=_("surveyor"),
        null=True,
        blank=True,
    )
    survey_appointment_at = models.DateTimeField(_("survey appointment"), null=True, blank=True)
    in_sample = models.BooleanField(
        _("in the survey sample"),
        default=False,
        help_text=_("Where only a selection is surveyed: this home represents its type and cluster."),
    )
    visit_count = models.PositiveSmallIntegerField(_("visits"), default=0)
    survey_completed_at = models.DateTimeField(_("survey completed at"), null=True, blank=True)
    plan_approved_at = models.DateTimeField(_("plan approved at"), null=True, blank=True)
    # Agreement.
    signatory = models.CharField(_("signatory"), max_length=24, choices=Signatory.choices, blank=True)
    signatory_name = models.CharField(_("signed by"), max_length=120, blank=True)
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    agreement_document = models.FileField(_("agreement document"), upload_to=agreement_upload_to, blank=True)
    owners_association_consent_on = models.DateField(
        _("owners' association consent on"), null=True, blank=True
    )
    tenant_supports = models.BooleanField(_("tenant supports"), null=True, blank=True)
    # Installation.
    installer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="installed_dwellings",
        verbose_name=_("installer"),
        null=True,
        blank=True,
    )
    installation_planned_on = models.DateField(_("installation planned on"), null=True, blank=True)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="installation_dwellings",
        verbose_name=_("technician"),
        null=True,
        blank=True,
        help_text=_("The installer's person who does the work in the home; sees it in the field."),
    )
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    connected_on = models.DateField(_("connected on"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["street", "house_number", "house_letter", "house_number_addition"]
        verbose_name = _("dwelling")
        verbose_name_plural = _("dwellings")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "postcode", "house_number", "house_letter", "house_number_addition"],
                name="dwelling_unique_address",
                violation_error_message=_("This address is already in the project."),
            ),
            models.UniqueConstraint(
                fields=["project", "bag_id"],
                condition=~Q(bag_id=""),
                name="dwelling_unique_bag_id",
                violation_error_message=_("This BAG object id is already in the project."),
            ),
            models.CheckConstraint(
                condition=Q(ownership=Ownership.HOUSING_ASSOCIATION) | Q(housing_association__isnull=True),
                name="dwelling_association_only_for_association_homes",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "state"], name="dwelling_project_state"),
            models.Index(fields=["project", "cluster"], name="dwelling_project_cluster"),
            models.Index(fields=["project", "street", "house_number"], name="dwelling_project_street"),
            models.Index(fields=["project", "postcode"], name="dwelling_project_postcode"),
        ]

    def __str__(self):
        return f"{self.street} {self.house_number_full}, {self.city}"

    @property
    def house_number_full(self) -> str:
        number = f"{self.house_number}{self.house_letter}"
        return f"{number}-{self.house_number_addition}" if self.house_number_addition else number

    @property
    def address_key(self) -> tuple:
        return (self.postcode, self.house_number, self.house_letter, self.house_number_addition)

    def step(self) -> int:
        """Position on the main path (1-based); side states count as 0."""
        return MAIN_PATH.index(self.state) + 1 if self.state in MAIN_PATH else 0

    # --- conditions (pure) -----------------------------------------------------------------------

    def has_survey_appointment(self) -> bool:
        return self.survey_appointment_at is not None and self.surveyor_id is not None

    def has_complete_survey(self) -> bool:
        return self.survey_completed_at is not None

    def has_valid_agreement(self) -> bool:
        return bool(self.signatory and self.agreement_signed_on)

    def has_installer(self) -> bool:
        return self.installer_id is not None

    def has_installation_date(self) -> bool:
        return self.installation_planned_on is not None

    def access_contact(self, contacts):
        """Whom to call for access (the survey appointment, the installation), from the dwelling's
        contacts as already loaded: the resident, else the owner where the owner lives there."""
        contacts = list(contacts)
        residents = [c for c in contacts if c.role == "resident"]
        if not residents and self.ownership == Ownership.OWNER_OCCUPIED:
            residents = [c for c in contacts if c.role == "owner"]
        return residents[0] if residents else None

    def expected_signatory(self) -> str:
        return {
            Ownership.OWNER_OCCUPIED: Signatory.OWNER_OCCUPIER,
            Ownership.HOUSING_ASSOCIATION: Signatory.HOUSING_ASSOCIATION,
            Ownership.PRIVATE_RENTAL: Signatory.LANDLORD,
        }[self.ownership]

    def is_rental(self) -> bool:
        return self.ownership in (Ownership.PRIVATE_RENTAL, Ownership.HOUSING_ASSOCIATION)

    def needs_owners_association_consent(self) -> bool:
        return bool(self.owners_association)

    # --- transitions: change fields on self only ------------------------------------------------

    @transition(field=state, source=S.REGISTERED, target=S.INFORMED, permission=_allowed("can_inform"))
    def inform(self):
        pass

    @transition(
        field=state,
        source=S.INFORMED,
        target=S.SURVEY_PLANNED,
        permission=_allowed("can_plan_survey"),
    )
    def plan_survey(self, *, surveyor, appointment_at):
        self.surveyor = surveyor
        self.survey_party_id = surveyor.organisation_id
        self.survey_appointment_at = appointment_at

    @transition(
        field=state,
        source=S.SURVEY_PLANNED,
        target=S.SURVEYED,
        conditions=[has_survey_appointment],
        permission=_allowed("can_record_survey"),
    )
    def record_survey(self, *, completed_at):
        self.visit_count += 1
        self.survey_completed_at = completed_at

    @transition(
        field=state,
        source=S.SURVEY_PLANNED,
        target=S.SURVEY_PLANNED,
        permission=_allowed("can_change_survey"),
    )
    def reschedule_survey(self, *, surveyor, appointment_at):
        self.surveyor = surveyor
        self.survey_party_id = surveyor.organisation_id
        self.survey_appointment_at = appointment_at

    @transition(
        field=state,
        source=S.SURVEY_PLANNED,
        target=S.INFORMED,
        permission=_allowed("can_change_survey"),
    )
    def cancel_survey(self):
        """The appointment is called off before the visit: no visit is counted."""
        self.surveyor = None
        self.survey_appointment_at = None

    @transition(
        field=state,
        source=S.SURVEY_PLANNED,
        target=S.INFORMED,
        permission=_allowed("can_record_visit"),
    )
    def visit_failed(self):
        self.visit_count += 1
        self.survey_appointment_at = None

    @transition(
        field=state,
        source=S.SURVEYED,
        target=S.PLAN_READY,
        conditions=[has_complete_survey],
        permission=_allowed("can_approve_plan"),
    )
    def approve_plan(self, *, approved_at):
        self.plan_approved_at = approved_at

    @transition(
        field=state,
        source=S.PLAN_READY,
        target=S.AGREED,
        permission=_allowed("can_record_agreement"),
    )
    def record_agreement(
        self,
        *,
        signatory,
        signatory_name,
        signed_on,
        document=None,
        owners_association_consent_on=None,
        tenant_supports=None,
    ):
        self.signatory = signatory
        self.signatory_name = signatory_name
        self.agreement_signed_on = signed_on
        if document:
            self.agreement_document = document
        self.owners_association_consent_on = owners_association_consent_on
        self.tenant_supports = tenant_supports

    @transition(
        field=state,
        source=S.AGREED,
        target=S.ASSIGNED,
        conditions=[has_valid_agreement],
        permission=_allowed("can_assign"),
    )
    def assign(self, *, installer):
        self.installer = installer

    @transition(
        field=state,
        source=[S.ASSIGNED, S.INSTALLATION_PLANNED],
        target=S.ASSIGNED,
        permission=_allowed("can_reassign"),
    )
    def reassign(self, *, installer):
        """Another installer takes the work over; everything recorded stays with the dwelling, the planned
        date and technician were the previous installer's."""
        self.installer = installer
        self.installation_planned_on = None
        self.technician = None

    @transition(
        field=state,
        source=S.ASSIGNED,
        target=S.INSTALLATION_PLANNED,
        conditions=[has_installer],
        permission=_allowed("can_install"),
    )
    def plan_installation(self, *, planned_on, technician=None):
        self.installation_planned_on = planned_on
        self.technician = technician

    @transition(
        field=state,
        source=S.INSTALLATION_PLANNED,
        target=S.INSTALLATION_PLANNED,
        permission=_allowed("can_change_installation"),
    )
    def reschedule_installation(self, *, planned_on, technician=None):
        """Another day for the planned work, and who comes (``prepare`` keeps the planned technician
        unless the installer names another)."""
        self.installation_planned_on = planned_on
        self.technician = technician

    @transition(
        field=state,
        source=S.INSTALLATION_PLANNED,
        target=S.INSTALLED,
        conditions=[has_installation_date],
        permission=_allowed("can_report_installed"),
    )
    def report_installed(self, *, installed_on):
        self.installed_on = installed_on

    @transition(
        field=state,
        source=S.INSTALLED,
        target=S.CONNECTED,
        permission=_allowed("can_accept_connection"),
    )
    def confirm_connection(self, *, connected_on):
        self.connected_on = connected_on

    @transition(
        field=state,
        source=S.INSTALLED,
        target=S.INSTALLATION_PLANNED,
        permission=_allowed("can_accept_connection"),
    )
    def reject_installation(self):
        self.installed_on = None

    @transition(field=state, source=DECLINABLE_STATES, target=S.DECLINED, permission=_allowed("can_inform"))
    def decline(self):
        pass

    @transition(field=state, source=S.DECLINED, target=S.INFORMED, permission=_allowed("can_inform"))
    def reopen(self):
        pass

    @transition(field=state, source=ACTIVE_STATES, target=S.ON_HOLD, permission=_allowed("can_lead"))
    def hold(self):
        self.held_state = self.state

    @transition(
        field=state,
        source=S.ON_HOLD,
        target=RETURN_VALUE(*ACTIVE_STATES),
        permission=_allowed("can_lead"),
    )
    def resume(self):
        held, self.held_state = self.held_state, ""
        return held

    @transition(field=state, source=WITHDRAWABLE_STATES, target=S.WITHDRAWN, permission=_allowed("can_lead"))
    def withdraw(self):
        self.held_state = ""


class ContactRole(models.TextChoices):
    OWNER = "owner", _("owner")
    RESIDENT = "resident", _("resident")


class ExtraHelp(models.TextChoices):
    SOMEONE_PRESENT = "someone_present", _("someone I trust present at visits")
    MORE_TIME = "more_time", _("more time for visits and explanations")
    LETTERS_ONLY = "letters_only", _("everything on paper")


class Contact(models.Model):
    """The owner or the resident of a dwelling. An owner-occupier is one contact, the owner."""

    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("dwelling")
    )
    role = models.CharField(_("role"), max_length=16, choices=ContactRole.choices)
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    language = models.CharField(_("language"), max_length=8, default="nl")
    # The person asked for no e-mail or no SMS: messages that must reach them (an appointment) go by letter.
    email_opt_out = models.BooleanField(_("no e-mail"), default=False)
    sms_opt_out = models.BooleanField(_("no SMS"), default=False)
    extra_help = models.JSONField(
        _("extra help"),
        default=list,
        blank=True,
        help_text=_(
            "What the person asked for (someone present, more time, letters only). For the communicating "
            "party; other parties see the home's extra-care flag only."
        ),
    )

    class Meta:
        ordering = ["dwelling", "role"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["dwelling", "role"], name="contact_one_per_role"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"

    def get_extra_help_display(self) -> list[str]:
        """What help the person asked for, in words (for the lead and the communicating party only)."""
        labels = dict(ExtraHelp.choices)
        return [str(labels.get(value, value)) for value in self.extra_help or []]


class DwellingTransition(models.Model):
    """One move of one dwelling: the log that every transition writes, in order."""

    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("dwelling")
    )
    transition = models.CharField(_("transition"), max_length=32)
    source = models.CharField(_("from"), max_length=24, choices=DwellingState.choices)
    target = models.CharField(_("to"), max_length=24, choices=DwellingState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
        null=True,
        blank=True,
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
    )
    resident = models.ForeignKey(
        "Contact",
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by the resident"),
        null=True,
        blank=True,
        help_text=_("The person who made the move through their personal link."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["dwelling", "at", "pk"]
        verbose_name = _("dwelling transition")
        verbose_name_plural = _("dwelling transitions")
        indexes = [models.Index(fields=["dwelling", "at"], name="transition_dwelling_at")]

    def __str__(self):
        return f"{self.dwelling_id}: {self.source} → {self.target}"
