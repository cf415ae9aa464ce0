"""The parties: organisations and the people who work for them."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
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
    field_worker = models.BooleanField(
        _("works in the field"),
        default=False,
        help_text=_(
            "A surveyor in the field sees only the dwellings planned for them personally, whatever "
            "the role of the organisation; its planners and office staff see all of its dwellings."
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

    @property
    def survey_capacity(self) -> int:
        """The survey visits (and open slots) this surveyor can have on one day."""
        return self.visits_per_day or settings.SURVEY_VISITS_PER_DAY

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)
