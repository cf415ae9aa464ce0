"""The parties: organisations and the people who work for them."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    HEAT_COMPANY = "heat_company", _("heat company")
    MUNICIPALITY = "municipality", _("municipality")
    INSTALLER = "installer", _("installer")
    HOUSING_ASSOCIATION = "housing_association", _("housing association")
    HEAT_COOPERATIVE = "heat_cooperative", _("heat cooperative")
    GRID_OPERATOR = "grid_operator", _("grid operator")
    WATER_COMPANY = "water_company", _("water company")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


class WorkRole(models.TextChoices):
    """What a person does within their organisation. The organisation's roles in a project are the
    ceiling of what its people may do there; a person's work roles choose within it."""

    ADMINISTRATOR = "administrator", _("administrator")
    COORDINATOR = "coordinator", _("coordinator")
    PLANNER = "planner", _("planner")
    FIELD_WORKER = "field_worker", _("field worker")
    COMMUNICATION = "communication", _("communication")
    READ_ONLY = "read_only", _("read-only")


WORK_ROLE_HELP = {
    WorkRole.ADMINISTRATOR: _(
        "Manages the people of the organisation: adds them, sets their roles, unlocks them."
    ),
    WorkRole.COORDINATOR: _(
        "The project work of the organisation: governance, the register and imports, bulk moves, approving "
        "plans, assigning installers, accepting connections."
    ),
    WorkRole.PLANNER: _("Plans survey visits, slots and installations for the organisation's people."),
    WorkRole.FIELD_WORKER: _(
        "A surveyor or an installer's technician: sees only the homes planned for them, in every page, list, "
        "search, export and document."
    ),
    WorkRole.COMMUNICATION: _(
        "Informs residents, records agreements and declines, and reads their contact data."
    ),
    WorkRole.READ_ONLY: _("Reads what the organisation may see, and changes nothing."),
}

# Roles whose holder sees everything the organisation sees; without one of them a person sees only the
# homes planned for them personally.
OFFICE_ROLES = frozenset(
    {
        WorkRole.ADMINISTRATOR,
        WorkRole.COORDINATOR,
        WorkRole.PLANNER,
        WorkRole.COMMUNICATION,
        WorkRole.READ_ONLY,
    }
)


def validate_work_roles(value) -> None:
    if not isinstance(value, list) or not set(value) <= set(WorkRole.values):
        raise ValidationError(_("Choose roles from the list."), code="invalid_roles")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person; logs in with an e-mail address and works for one organisation.

    Only platform superusers (who run the installation) may be without an organisation.
    """

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
    )
    work_roles = models.JSONField(
        _("roles"),
        default=list,
        blank=True,
        validators=[validate_work_roles],
        help_text=_(
            "What this person does in the organisation. The organisation's roles in a project are the "
            "ceiling; these choose within it. Someone with only the field worker role sees only the homes "
            "planned for them."
        ),
    )

    visits_per_day = models.PositiveSmallIntegerField(
        _("survey visits a day"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_(
            "How many survey visits this surveyor makes in a day (a part-timer, a trainee); empty: the "
            "installation's default."
        ),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | models.Q(is_superuser=True),
                name="user_has_organisation",
                violation_error_message=_("Every user belongs to an organisation."),
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def has_work_role(self, *roles: str) -> bool:
        """Whether the person holds any of ``roles`` (platform superusers hold every role)."""
        return self.is_superuser or bool(set(self.work_roles or ()) & set(roles))

    @property
    def in_field_only(self) -> bool:
        """Sees only the homes planned for them personally: no role that sees the organisation's scope."""
        return not self.is_superuser and not (set(self.work_roles or ()) & OFFICE_ROLES)

    def get_work_roles_display(self) -> str:
        return ", ".join(
            str(WorkRole(role).label) for role in WorkRole.values if role in (self.work_roles or ())
        )

    @property
    def survey_capacity(self) -> int:
        """The survey visits (and open slots) this surveyor can have on one day."""
        return self.visits_per_day or settings.SURVEY_VISITS_PER_DAY

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)
