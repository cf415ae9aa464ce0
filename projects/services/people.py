"""The people of an organisation: added, given roles, deactivated and unlocked by its administrator.

Each organisation manages its own people (DOMAIN.md); a platform superuser manages everyone. Every
change is on the audit log (who, when, which field), like governance. A new person gets an e-mail with
a link to choose a password: nobody else ever knows it.
"""

import datetime

from auditlog.context import set_actor
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects.models import Organisation, User, WorkRole
from projects.permissions import can_manage_people, can_manage_person, people_managed_by

PERSON_FIELDS = ("first_name", "last_name", "email", "work_roles", "visits_per_day", "is_active")


def _ensure_manager(actor: User, person: User | None = None) -> None:
    allowed = can_manage_person(actor, person) if person is not None else can_manage_people(actor)
    if not allowed:
        raise PermissionDenied(_("Only an administrator of the organisation manages its people."))


def _clean_roles(roles) -> list[str]:
    roles = list(dict.fromkeys(roles or ()))
    if not roles:
        raise ValidationError({"work_roles": _("Give the person at least one role.")})
    unknown = set(roles) - set(WorkRole.values)
    if unknown:
        raise ValidationError({"work_roles": _("Choose roles from the list.")})
    # In the order of the list, so that the same roles are always stored the same way.
    return [role for role in WorkRole.values if role in roles]


def _keeps_an_administrator(person: User, *, roles: list[str], active: bool) -> None:
    """An organisation always keeps one active administrator, or nobody could manage its people."""
    if person.organisation_id is None or (active and WorkRole.ADMINISTRATOR in roles):
        return
    others = (
        User.objects.filter(organisation_id=person.organisation_id, is_active=True)
        .exclude(pk=person.pk)
        .filter(work_roles__icontains=f'"{WorkRole.ADMINISTRATOR}"')
    )
    was_admin = person.is_active and WorkRole.ADMINISTRATOR in (person.work_roles or ())
    if was_admin and not others.exists():
        raise ValidationError(
            {
                "work_roles": _(
                    "This is the last administrator of the organisation. Make someone else administrator "
                    "first."
                )
            }
        )


def invitation_send(*, person: User, request=None) -> None:
    """E-mail the person a link to choose their password (Django's password reset, in their language)."""
    form = PasswordResetForm({"email": person.email})
    if not form.is_valid():
        return
    # A person without a usable password (a new one) must get the link too.
    form.get_users = lambda email: [person] if person.is_active else []
    with translation.override(settings.LANGUAGE_CODE):
        form.save(
            request=request,
            use_https=bool(request and request.is_secure()),
            domain_override=None if request else "localhost",
            subject_template_name="registration/invitation_subject.txt",
            email_template_name="registration/invitation_email.txt",
            from_email=settings.DEFAULT_FROM_EMAIL,
            extra_email_context={"organisation": person.organisation},
        )


@transaction.atomic
def person_create(
    *,
    actor: User,
    email: str,
    first_name: str,
    last_name: str,
    work_roles: list[str],
    visits_per_day: int | None = None,
    organisation: Organisation | None = None,
    request=None,
) -> User:
    """Add a person to the actor's organisation (a superuser names the organisation) and e-mail them
    a link to choose a password."""
    _ensure_manager(actor)
    if not actor.is_superuser or organisation is None:
        organisation = actor.organisation
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Someone with this e-mail address already has an account.")})
    person = User(
        email=email,
        first_name=first_name,
        last_name=last_name,
        organisation=organisation,
        work_roles=_clean_roles(work_roles),
        visits_per_day=visits_per_day,
    )
    person.set_unusable_password()
    person.full_clean(exclude=["password"])
    with set_actor(actor):
        person.save()
    transaction.on_commit(lambda: invitation_send(person=person, request=request))
    return person


@transaction.atomic
def person_update(*, actor: User, person_id: int, **fields) -> User:
    """Change a person's name, e-mail, roles, daily visits or whether they may log in."""
    person = User.objects.select_for_update().filter(pk=person_id).first()
    if person is None or not people_managed_by(actor).filter(pk=person_id).exists():
        raise User.DoesNotExist
    _ensure_manager(actor, person)
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"Not a person field: {', '.join(sorted(unknown))}")
    roles = _clean_roles(fields["work_roles"]) if "work_roles" in fields else list(person.work_roles)
    active = fields.get("is_active", person.is_active)
    if person.pk == actor.pk and not active:
        raise ValidationError({"is_active": _("You cannot block your own account.")})
    _keeps_an_administrator(person, roles=roles, active=active)
    if "email" in fields:
        fields["email"] = User.objects.normalize_email(fields["email"]).lower()
        if User.objects.filter(email__iexact=fields["email"]).exclude(pk=person.pk).exists():
            raise ValidationError({"email": _("Someone with this e-mail address already has an account.")})
    for name, value in fields.items():
        setattr(person, name, value)
    person.work_roles = roles
    person.full_clean(exclude=["password"])
    with set_actor(actor):
        person.save()
    return person


# --- Login lockout (django-axes) -------------------------------------------------------------------


def _lock_window_start() -> datetime.datetime | None:
    cool_off = settings.AXES_COOLOFF_TIME
    return timezone.now() - cool_off if cool_off else None


def locked_emails(emails) -> set[str]:
    """Which of these accounts are locked now by failed logins, in one query."""
    attempts = AccessAttempt.objects.filter(
        username__in=[email.lower() for email in emails],
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
    )
    start = _lock_window_start()
    if start is not None:
        attempts = attempts.filter(attempt_time__gte=start)
    return set(attempts.values_list("username", flat=True))


@transaction.atomic
def person_unlock(*, actor: User, person_id: int) -> int:
    """Lift the lockout of a person's account after failed logins; the number of records removed."""
    person = people_managed_by(actor).filter(pk=person_id).first()
    if person is None:
        raise User.DoesNotExist
    _ensure_manager(actor, person)
    removed = axes_reset(username=person.email.lower())
    from auditlog.models import LogEntry

    LogEntry.objects.log_create(
        person,
        action=LogEntry.Action.UPDATE,
        changes={"locked": [True, False]},
        actor=actor,
        force_log=True,
    )
    return removed
