"""Writing what the check found: new dwellings, changed ones and their people, with their history.

Only what really changed is written, in batches (``bulk_create``/``bulk_update``) in the caller's
transaction: per batch one query for each kind of write and one for the history rows, however many
rows the batch holds.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

from projects.history import CREATE, UPDATE, Change, history_record
from projects.models import Contact, Dwelling

from . import changes
from .changes import PersonChange
from .results import ImportResult
from .values import CONTACT_COLUMNS

if TYPE_CHECKING:
    from .importer import Importer, Row


def write(
    importer: "Importer",
    rows: "list[Row]",
    result: ImportResult,
    *,
    actor,
    job_id: int | None,
    progress,
    batch_size: int,
) -> None:
    """Write the checked rows in batches with their history; count them in ``result``.

    ``progress(rows)`` is called after every batch.
    """
    fields = importer.plan.fields
    attnames = ["housing_association_id" if name == "housing_association" else name for name in fields]
    now = timezone.now()
    project_id = importer.project.pk
    extra = {"job_id": job_id} if job_id is not None else {}
    done = 0
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        new: list[tuple[Dwelling, Row]] = []
        changed: list[Dwelling] = []
        people = _PeopleWrites()
        history: list[Change] = []
        for row in batch:
            if row.existing is None:
                dwelling = Dwelling(
                    project_id=project_id,
                    postcode=row.address[0],
                    house_number=row.address[1],
                    house_letter=row.address[2],
                    house_number_addition=row.address[3],
                    **dict(zip(attnames, row.values, strict=True)),
                )
                if dwelling.housing_association_id is not None:
                    # As an object: the history's snapshot then names it without a query.
                    dwelling.housing_association = importer.association_objects[
                        dwelling.housing_association_id
                    ]
                new.append((dwelling, row))
                result.created += 1
                continue
            change = row.change
            if change is None:
                result.unchanged += 1
                continue
            existing = row.existing
            postcode, number, letter, addition = existing.address
            dwelling = Dwelling(
                pk=existing.pk,
                project_id=project_id,
                updated_at=now,
                postcode=postcode,
                house_number=number,
                house_letter=letter,
                house_number_addition=addition,
            )
            for name, value in zip(attnames, row.values, strict=True):
                setattr(dwelling, name, value)
            if change.fields:
                changed.append(dwelling)
            people.add(change.people)
            history.extend(changes.history_of_update(change, dwelling, project_id=project_id, extra=extra))
            result.updated += 1
            result.changes.append(change)
            importer.updated_ids.append(existing.pk)
        if new:
            Dwelling.objects.bulk_create([dwelling for dwelling, _row in new], batch_size=batch_size)
        if changed:
            Dwelling.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=batch_size)
        created_people = []
        for dwelling, row in new:
            added = importer.people_changes(dwelling.pk, row.contacts)
            people.add(added)
            created_people.append((dwelling, added))
        people.apply(batch_size)
        # After the people are written: their history rows need their ids.
        for dwelling, added in created_people:
            history.extend(changes.history_of_creation(dwelling, added, project_id=project_id, extra=extra))
        history_record(actor=actor, source="import", changes=history)
        done += len(batch)
        if progress is not None:
            progress(done)


@dataclass
class _PeopleWrites:
    creates: list[Contact] = field(default_factory=list)
    updates: list[Contact] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)

    def add(self, people: list[PersonChange]) -> None:
        for person in people:
            if person.action == CREATE:
                self.creates.append(person.contact)
            elif person.action == UPDATE:
                self.updates.append(person.contact)
            else:
                self.deletes.append(person.contact.pk)

    def apply(self, batch_size: int) -> None:
        if self.creates:
            Contact.objects.bulk_create(self.creates, batch_size=batch_size)
        if self.updates:
            Contact.objects.bulk_update(self.updates, list(CONTACT_COLUMNS), batch_size=batch_size)
        if self.deletes:
            Contact.objects.filter(pk__in=self.deletes).delete()
