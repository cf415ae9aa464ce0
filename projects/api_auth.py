"""The API's token authentication: django-rest-knox's, with ``Authorization: Token <key>``.

knox finds the token by the key's first characters and compares the digest of the whole key; an expired
token is removed, and a deactivated person's token is refused. This adds when a token was last used (at
most one write a minute per token) and refuses a header that is not text instead of failing on it.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from projects.models import ApiToken

LAST_USED_PRECISION = datetime.timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        user, auth_token = super().authenticate_credentials(token)
        now = timezone.now()
        if auth_token.last_used is None or now - auth_token.last_used >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=auth_token.pk).update(last_used=now)
            auth_token.last_used = now
        return user, auth_token


class ApiTokenScheme(KnoxTokenScheme):
    """The schema's description of the header: ``Authorization: Token <key>``."""

    target_class = "projects.api_auth.ApiTokenAuthentication"
    name = "tokenAuth"
