"""Framework agreements over time."""

import datetime

from django.db import transaction
from django.utils import timezone

from procurement.models import AgreementStatus, FrameworkAgreement


@transaction.atomic
def agreements_expire(today: datetime.date | None = None) -> int:
    """Write *expired* on every active agreement past its end date (the nightly task); reading is
    correct before it runs (``effective_status``). The number of agreements expired."""
    today = today or timezone.localdate()
    due = FrameworkAgreement.objects.filter(status=AgreementStatus.ACTIVE, ends_on__lt=today)
    count = 0
    for agreement in due.select_for_update(skip_locked=True):
        agreement.status = AgreementStatus.EXPIRED
        agreement.save(update_fields=["status", "updated_at"])  # through save: the audit log sees it
        count += 1
    return count
