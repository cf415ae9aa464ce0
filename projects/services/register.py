"""The dwelling register: a home's address, ownership, building facts and people, kept by the lead party.

Corrections never touch the state (moves are ``projects.services.dwellings``). Every changed field lands
in the history (``projects.history``), and *register data changed* is published for the apps that
follow it (``projects.workflow``: the connection plans).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from projects import workflow
from projects.models import Dwelling, User

REGISTER_FIELDS = (
    "postcode",
    "house_number",
    "house_letter",
    "house_number_addition",
    "street",
    "city",
    "bag_id",
    "ownership",
    "housing_association",
    "owners_association",
    "dwelling_type",
    "build_year",
    "energy_label",
    "floor_area",
    "listed_monument",
    "cluster",
    "extra_care",
    "extra_care_note",
)
CONTACT_FIELDS = ("name", "email", "phone", "preferred_channel", "language")


# Free text of the register: the history says that it changed, not what it said.
HIDDEN_REGISTER_FIELDS = ("extra_care_note",)


@transaction.atomic
def dwelling_save(
    *,
    actor: User,
    project,
    fields: dict,
    contacts: dict[str, dict | None],
    dwelling: Dwelling | None = None,
    source: str = "form",
) -> Dwelling:
    """Create a dwelling in the register or correct its data (never its state); a coordinator of the
    lead party. Every changed field of the dwelling and its people lands in the history (``source``
    says where the change came from: "form", "api", "admin").

    ``contacts`` maps "owner"/"resident" to the person's data, or None to remove that person.
    """
    from projects import history
    from projects.models import Contact
    from projects.permissions import can_manage_register

    if not can_manage_register(actor, project):
        raise PermissionDenied(_("Only a coordinator of the lead party keeps the dwelling register."))
    if dwelling is not None:
        dwelling = Dwelling.objects.select_for_update(of=("self",)).filter(pk=dwelling.pk).first()
        if dwelling is None or dwelling.project_id != project.pk:
            raise Dwelling.DoesNotExist
    created = dwelling is None
    dwelling = dwelling or Dwelling(project=project)
    before = {} if created else history.snapshot(dwelling, REGISTER_FIELDS)
    for name, value in fields.items():
        if name not in REGISTER_FIELDS:
            raise ValueError(f"Not a register field: {name}")
        setattr(dwelling, name, value)
    if dwelling.ownership != "housing_association":
        dwelling.housing_association = None
    elif dwelling.housing_association is None:
        raise ValidationError({"housing_association": _("Choose the housing association that owns it.")})
    dwelling.full_clean(exclude=["state"])
    dwelling.save()
    changes = [
        history.Change(
            instance=dwelling,
            changes=history.changes_between(
                before, history.snapshot(dwelling, REGISTER_FIELDS), hidden=HIDDEN_REGISTER_FIELDS
            ),
            dwelling_id=dwelling.pk,
            project_id=project.pk,
            action=history.CREATE if created else history.UPDATE,
        )
    ]
    existing = {
        contact.role: contact for contact in Contact.objects.select_for_update().filter(dwelling=dwelling)
    }
    for role, data in contacts.items():
        current = existing.get(role)
        old = history.snapshot(current, CONTACT_FIELDS) if current else {}
        if data and data.get("name"):
            contact = current or Contact(dwelling=dwelling, role=role)
            for name in CONTACT_FIELDS:
                # A field the caller did not send (the page has no language field) keeps its value.
                if name in data:
                    setattr(contact, name, data.get(name) or "")
            contact.preferred_channel = contact.preferred_channel or "email"
            contact.language = contact.language or "nl"
            contact.full_clean(exclude=["dwelling"], validate_unique=False)
            contact.save()
            action = history.UPDATE if current else history.CREATE
            new = history.snapshot(contact, CONTACT_FIELDS)
        elif current is not None:
            contact, action, new = current, history.DELETE, {}
            current_pk = current.pk
            current.delete()
            contact.pk = current_pk  # the history names the person that was removed
        else:
            continue
        changes.append(
            history.Change(
                instance=contact,
                changes=history.changes_between(old, new),
                dwelling_id=dwelling.pk,
                project_id=project.pk,
                action=action,
                extra={"role": role},
            )
        )
    history.history_record(actor=actor, source=source, changes=changes)
    changed = {name for change in changes for name in change.changes}
    if changed:
        # Other apps follow (the connection plan shows the address, the facts and the people).
        workflow.publish_register_changed(
            workflow.RegisterChanged(
                dwelling_ids=(dwelling.pk,), fields=frozenset(changed), actor_id=actor.pk, source=source
            )
        )
    return dwelling
