"""Reads for the parties' pages: response times to residents' questions, and a home's personal links."""

import datetime
import statistics

from django.db.models import Count, Max, Q
from django.utils import timezone

from portal.models import PortalLink, Question, QuestionStatus

WORKING_DAYS_TO_ANSWER = 2


def add_working_days(moment: datetime.datetime, days: int) -> datetime.datetime:
    """The same time of day ``days`` working days (Monday to Friday) later; from a weekend the count
    starts on Monday morning."""
    local = timezone.localtime(moment)
    while local.weekday() >= 5:
        local = (local + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    left = days
    while left:
        local += datetime.timedelta(days=1)
        if local.weekday() < 5:
            left -= 1
    return local


def response_figures(project) -> dict | None:
    """Residents' questions of the project: how many, open, the median time to the first answer and
    the share answered within two working days. Aggregates only; None when nobody asked anything."""
    questions = Question.objects.filter(project=project)
    counts = questions.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=QuestionStatus.OPEN)),
        aftercare=Count("pk", filter=Q(kind="aftercare")),
    )
    if not counts["total"]:
        return None
    answered = list(questions.filter(answered_at__isnull=False).values_list("created_at", "answered_at"))
    hours = [(answered_at - created).total_seconds() / 3600 for created, answered_at in answered]
    in_time = sum(
        1
        for created, answered_at in answered
        if answered_at <= add_working_days(created, WORKING_DAYS_TO_ANSWER)
    )
    now = timezone.now()
    overdue = questions.filter(answered_at__isnull=True).values_list("created_at", flat=True)
    late_open = sum(1 for created in overdue if now > add_working_days(created, WORKING_DAYS_TO_ANSWER))
    return {
        **counts,
        "answered": len(answered),
        "median_hours": round(statistics.median(hours), 1) if hours else None,
        "within_two_days": round(100 * in_time / len(answered)) if answered else None,
        "late_open": late_open,
    }


def link_rows(dwelling) -> list[dict]:
    """Per person of the home: how many links work now and when the last was made (never a code)."""
    now = timezone.now()
    rows = (
        PortalLink.objects.filter(dwelling=dwelling)
        .values("contact_id")
        .annotate(
            working=Count("pk", filter=Q(revoked_at__isnull=True, expires_at__gt=now)),
            last=Max("created_at"),
        )
    )
    return {row["contact_id"]: row for row in rows}
