"""Procurement's background work: tasks take ids or nothing and call a service."""

from celery import shared_task


@shared_task(acks_late=True)
def agreements_expire_task() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): write *expired* on the agreements past their end date."""
    from procurement.services import agreements_expire

    return agreements_expire()


@shared_task(acks_late=True)
def tender_invitations_task(tender_id: int) -> int:
    """E-mail the coordinators of the installers invited to a tender."""
    from procurement.notifications import tender_invitations_send

    return tender_invitations_send(tender_id)
