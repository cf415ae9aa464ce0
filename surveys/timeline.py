"""Timeline entries of the survey: visits."""

from django.utils.translation import gettext as _

from projects.timeline import TOLD_ELSEWHERE, TimelineEntry, register

# Each record_survey and visit_failed move writes a Visit: the visit entry tells it, with its details.
TOLD_ELSEWHERE.update({"record_survey", "visit_failed"})


@register
def visit_entries(dwelling, viewer):
    """One entry per visit with its outcome; the surveyor's note and the reason for another visit
    (free text about the residents) only for who may read the personal part of the survey (not an
    installer). Public: the resident may read that we came."""
    from surveys.models import Visit
    from surveys.selectors import may_read_personal

    personal = may_read_personal(viewer, dwelling)
    visits = (
        Visit.objects.filter(dwelling=dwelling)
        .select_related("surveyor", "surveyor__organisation", "second_person_organisation")
        .order_by("started_at", "pk")
    )
    for visit in visits:
        lines = []
        if personal and visit.second_visit_reason:
            lines.append(_("Why another visit: %(reason)s") % {"reason": visit.second_visit_reason})
        if visit.second_person_organisation:
            lines.append(
                _("Second person from %(organisation)s") % {"organisation": visit.second_person_organisation}
            )
        if personal and visit.note:
            lines.append(visit.note)
        yield TimelineEntry(
            at=visit.finished_at or visit.started_at,
            kind="visit",
            title=_("Survey visit: %(outcome)s") % {"outcome": visit.get_outcome_display() or _("open")},
            body="\n".join(lines),
            actor=str(visit.surveyor),
            organisation=str(visit.surveyor.organisation or ""),
            public=True,
        )
