"""A resident acting through their personal link: an actor that is not a user account.

The resident portal hands a ``Resident`` to the workflow where a person makes a move of their own (book
a survey visit, accept the agreement). To every rule written for users it looks like an anonymous
visitor (``is_authenticated`` is False, no organisation, no work roles), so it reaches nothing by
accident; only the rules that name residents (``projects.permissions.dwelling_relations`` and the
grants of the portal) let it act, and only for its own home. The move's log names the person.
"""

from dataclasses import dataclass

from projects.models import Contact


@dataclass(frozen=True, eq=False)
class Resident:
    contact: Contact

    # What user-based rules read: an anonymous visitor without organisation or roles.
    is_authenticated = False
    is_anonymous = True
    is_active = True
    is_superuser = False
    is_staff = False
    in_field_only = False
    organisation_id = None
    pk = None
    id = None
    work_roles = ()

    @property
    def dwelling_id(self) -> int:
        return self.contact.dwelling_id

    def has_work_role(self, *roles) -> bool:
        return False

    def get_full_name(self) -> str:
        return self.contact.name

    def __str__(self) -> str:
        return self.contact.name


def is_resident(actor) -> bool:
    return isinstance(actor, Resident)


def acts_for(actor, dwelling) -> bool:
    """The actor is a resident of this very home."""
    return is_resident(actor) and actor.contact.dwelling_id == dwelling.pk
