"""The two statements of sending one message, in plain SQL: claim a queued row, record its outcome.

``communication.sending`` runs them in one transaction per message, with the send in between. Through
the ORM (a ``SELECT ... FOR UPDATE SKIP LOCKED`` that built a whole ``Message``, then
``save(update_fields=...)``) they cost more per e-mail than the e-mail itself; most of what is left is
the database reading and planning each statement, so both are kept short.

The claim locks one queued row that no other transaction holds (``FOR UPDATE SKIP LOCKED``, any row
of the campaign: see ``_claim_sql``) and returns what sending needs of it; the lock lasts until the
transaction ends. SQLite has no row locks (Django's ``select_for_update`` does nothing there): the
claim is an ``UPDATE ... RETURNING`` instead, whose write takes the database's lock until the commit,
so no other writer can claim meanwhile.

The record counts the attempt and writes the outcome; the status moves forward only
(``statuses.advance``, on the status the claim read under the lock).
"""

import uuid

from django.db import connection
from django.utils.functional import SimpleLazyObject

from communication.models import Message, MessageStatus
from communication.statuses import advance
from projects.models import Contact, Dwelling

_COLUMNS = (
    "id",
    "reference",
    "channel",
    "address",
    "subject",
    "body",
    "status",
    "provider_id",
    "dwelling_id",
    "contact_id",
)


class Claimed:
    """A claimed message: what sending reads of it, without building a ``Message``.

    For the makers of personal links and codes (``content.personalise_all``): ``contact`` is the
    person with only the keys loaded (as ``.only()`` makes it: any other field loads when read), so
    a link costs no query to find them; ``dwelling`` is read from the database if a maker uses it."""

    __slots__ = (*_COLUMNS, "contact_dwelling_id", "status_changed_at", "_dwelling", "_contact")

    def __init__(self, row):
        (
            self.id,
            reference,
            self.channel,
            self.address,
            self.subject,
            self.body,
            self.status,
            self.provider_id,
            self.dwelling_id,
            self.contact_id,
            self.contact_dwelling_id,
        ) = row
        # PostgreSQL returns a UUID, SQLite the 32 hex digits Django stores there.
        self.reference = reference if isinstance(reference, uuid.UUID) else uuid.UUID(reference)
        self.status_changed_at = self._dwelling = self._contact = None

    @property
    def pk(self):
        return self.id

    @property
    def dwelling(self) -> Dwelling:
        if self._dwelling is None:
            # Lazy rather than deferred: a Dwelling's state machine reads its state as it is made.
            dwelling_id = self.dwelling_id
            self._dwelling = SimpleLazyObject(lambda: Dwelling.objects.get(pk=dwelling_id))
        return self._dwelling

    @property
    def contact(self) -> Contact | None:
        if self._contact is None and self.contact_id is not None:
            # from_db takes the values in the order of the model's fields: the key comes first.
            self._contact = Contact.from_db(
                connection.alias, ["id", "dwelling_id"], [self.contact_id, self.contact_dwelling_id]
            )
        return self._contact


def _claim_sql(channels: int, campaign: bool, ids: int | None) -> str:
    table = Message._meta.db_table
    contacts = Contact._meta.db_table
    conditions = [f"status = %s AND channel IN ({', '.join(['%s'] * channels)})"]
    if campaign:
        conditions.append("campaign_id = %s")
    if ids is not None:
        conditions.append(f"id IN ({', '.join(['%s'] * ids)})")
    where = " AND ".join(conditions)
    # With the person's home as the person's row has it (after a move it is not the message's).
    columns = (
        ", ".join(f"{table}.{column}" for column in _COLUMNS)
        + f", (SELECT {contacts}.dwelling_id FROM {contacts} WHERE {contacts}.id = {table}.contact_id)"
    )
    # Any queued row will do, in no particular order: ``ORDER BY id`` made PostgreSQL read and sort
    # every queued row of the campaign to lock one (no index serves the order under the lock), so each
    # claim grew with the campaign (12 ms at 10,000 rows). Without it the scan of the campaign and
    # status index stops at the first row it can lock.
    if connection.features.has_select_for_update_skip_locked:
        return f"SELECT {columns} FROM {table} WHERE {where} LIMIT 1 FOR UPDATE SKIP LOCKED"
    # No row locks: the write takes the database's lock (it changes nothing: the attempt is counted
    # with the outcome). The condition is checked again on the row it found.
    return (
        f"UPDATE {table} SET attempts = attempts "
        f"WHERE id = (SELECT id FROM {table} WHERE {where} LIMIT 1) AND {where} "
        f"RETURNING {columns}"
    )


class Claimer:
    """Claims the queued messages of one sending run (e-mail and SMS of a campaign, or these ids), one
    per ``transaction.atomic()`` block of the caller, and records their outcome in it."""

    def __init__(self, channels, *, campaign_id: int | None = None, message_ids=None):
        ids = None if message_ids is None else list(message_ids)
        self.sql = None
        if ids != []:
            self.sql = _claim_sql(len(channels), campaign_id is not None, None if ids is None else len(ids))
        self.params = [
            MessageStatus.QUEUED,
            *channels,
            *([] if campaign_id is None else [campaign_id]),
            *(ids or []),
        ]
        if not connection.features.has_select_for_update_skip_locked:
            self.params *= 2  # the condition twice, see _claim_sql

    def claim(self) -> Claimed | None:
        """Lock one queued message; None when none is left (or other transactions hold the rest)."""
        if self.sql is None:
            return None
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            row = cursor.fetchone()
        return None if row is None else Claimed(row)

    def record(self, message: Claimed, status: str, *, reason: str, provider_id: str, at) -> None:
        """Write the outcome of sending the claimed ``message`` in the transaction that claimed it: the
        attempt, the reason, the provider's id (kept if there is none), ``sent_at`` when it left (sent,
        or unknown) and the status if ``status`` is forward of the row's. The caller's block commits."""
        when = connection.ops.adapt_datetimefield_value(at)
        columns = {"reason": reason}
        if provider_id:
            columns["provider_id"] = provider_id
        if status in (MessageStatus.SENT, MessageStatus.UNKNOWN):
            columns["sent_at"] = when
        if advance(message, status, at=at):
            columns["status"], columns["status_changed_at"] = message.status, when
        sql = (
            f"UPDATE {Message._meta.db_table} SET attempts = attempts + 1, "
            + ", ".join(f"{column} = %s" for column in columns)
            + " WHERE id = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*columns.values(), message.id])
