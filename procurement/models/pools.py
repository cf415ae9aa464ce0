"""Pools of installers under framework agreements, and what a project chose from its pool."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models import Organisation, Project

from .agreements import FrameworkAgreement


class Pool(models.Model):
    """A named set of framework agreements that several projects choose their installers from."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="pools",
        verbose_name=_("kept by"),
        help_text=_("The contracting party that keeps the pool."),
    )
    description = models.TextField(_("description"), blank=True)
    agreements = models.ManyToManyField(
        FrameworkAgreement, related_name="pools", blank=True, verbose_name=_("agreements")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("pool")
        verbose_name_plural = _("pools")

    def __str__(self):
        return self.name


class ProjectProcurement(models.Model):
    """A project's choices: the pool it works from and the main contractor picked from it."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="procurement", verbose_name=_("project")
    )
    pool = models.ForeignKey(
        Pool, on_delete=models.PROTECT, null=True, blank=True, related_name="projects", verbose_name=_("pool")
    )
    main_contractor = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("main contractor"),
    )
    budget = models.DecimalField(
        _("budget"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The installation budget of the project, in euros excluding VAT."),
    )
    overrun_margin = models.PositiveSmallIntegerField(
        _("overrun margin (%)"),
        default=10,
        help_text=_(
            "A dwelling or cluster counts as over budget when its actual cost passes its estimate by more."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("procurement of a project")
        verbose_name_plural = _("procurement of projects")

    def __str__(self):
        return str(self.project)
