"""A person's API tokens (django-rest-knox, ``KNOX_TOKEN_MODEL``).

knox keeps a digest of each key and its first characters, by which it finds the key again; the key itself
is shown once, when it is made, and never stored. This model adds what the person wrote it is for, the
form that made it (sent twice, it makes one token) and when it was last used.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS

# How many characters of a key its owner sees, to tell their tokens apart.
PREFIX_LENGTH = 8


class ApiToken(AbstractAuthToken):
    # knox makes the digest the primary key; an ordinary id keeps it out of addresses and forms.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True, editable=False)
    token_key = models.CharField(
        max_length=CONSTANTS.MAXIMUM_TOKEN_PREFIX_LENGTH + CONSTANTS.TOKEN_KEY_LENGTH,
        db_index=True,
        editable=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="auth_token_set",  # knox looks a person's other tokens up by this name
        verbose_name=_("person"),
    )
    created = models.DateTimeField(_("made at"), auto_now_add=True)
    expiry = models.DateTimeField(_("expires at"), null=True, blank=True)
    name = models.CharField(_("what it is for"), max_length=100)
    form_id = models.UUIDField(null=True, blank=True, editable=False)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(fields=["user", "form_id"], name="projects_apitoken_one_per_form"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def prefix(self) -> str:
        return self.token_key[:PREFIX_LENGTH]

    @property
    def expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()
