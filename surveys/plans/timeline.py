"""Timeline entries of the connection plans: every version, for the viewers who may open it.

The full version is public (the resident will find it in the portal); the installer version is
internal.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from projects.timeline import TimelineEntry, register
from surveys.models import PlanVariant
from surveys.plans.permissions import plan_variants_for
from surveys.plans.services import VARIANT_TITLES


@register
def plan_entries(dwelling, viewer):
    variants = plan_variants_for(viewer, dwelling)
    if not variants:
        return
    plans = (
        dwelling.connection_plans.filter(variant__in=variants)
        .select_related("made_by", "made_by__organisation")
        .order_by("created_at", "pk")
    )
    for plan in plans:
        yield TimelineEntry(
            at=plan.created_at,
            kind="document",
            title=_("Connection plan v%(version)s (%(variant)s)")
            % {"version": plan.version, "variant": VARIANT_TITLES[plan.variant]},
            actor=str(plan.made_by) if plan.made_by else _("system"),
            organisation=str(plan.made_by.organisation or "") if plan.made_by else "",
            public=plan.variant == PlanVariant.FULL,
            url=reverse("plans:file", kwargs={"pk": plan.pk}),
        )
