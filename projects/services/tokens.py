"""API tokens: each person makes and revokes their own; nobody else sees them, an administrator neither.

A token acts as its person, within their organisation's scope and their work roles, for
``API_TOKEN_DAYS``; django-rest-knox makes the key and keeps only its digest (``projects.models.ApiToken``).
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from projects.models import ApiToken, User

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The person's own tokens, newest first (expired ones too, until they are used or removed)."""
    return ApiToken.objects.filter(user=user).order_by("-created", "-pk")


@transaction.atomic
def token_create(*, actor: User, name: str, form_id: uuid.UUID) -> tuple[ApiToken, str | None]:
    """Make a token for ``actor``, once per form: the same form sent again makes none and returns the
    token it made, without its key (which was shown once, when it was made). Returns the token and its key."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Say what the token is for.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": _("Keep it to %(count)d characters.") % {"count": NAME_MAX_LENGTH}})
    existing = tokens_of(actor).filter(form_id=form_id).first()
    if existing is not None:
        return existing, None
    try:
        with transaction.atomic():
            token, key = ApiToken.objects.create(
                user=actor,
                expiry=datetime.timedelta(days=settings.API_TOKEN_DAYS),
                name=name,
                form_id=form_id,
            )
    except IntegrityError:
        # The same form, sent twice at once: the other request made it.
        return tokens_of(actor).get(form_id=form_id), None
    return token, key


@transaction.atomic
def token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Remove one of ``actor``'s own tokens: it stops working at once. Another person's token does not exist
    for them (``ApiToken.DoesNotExist``)."""
    token = tokens_of(actor).select_for_update().get(pk=token_id)
    token.delete()
    return token
