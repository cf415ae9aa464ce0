"""Reads of the connection plans, scoped to what the viewer may open."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from projects.models import User
from surveys.models import ConnectionPlan
from surveys.plans.permissions import plan_variants_for, plans_visible_to


def plan_list(*, user: User, dwelling) -> QuerySet[ConnectionPlan]:
    """The versions of one dwelling's plan that the user may open, newest first (one query)."""
    variants = plan_variants_for(user, dwelling)
    return (
        ConnectionPlan.objects.filter(dwelling=dwelling, variant__in=variants)
        .select_related("made_by", "made_by__organisation")
        .order_by("-created_at", "-pk")
    )


def plan_get(*, user: User, pk: int) -> ConnectionPlan:
    """One plan the user may open; 404 for any other (another party's, or a version not for them)."""
    return get_object_or_404(plans_visible_to(user).select_related("dwelling", "dwelling__project"), pk=pk)
