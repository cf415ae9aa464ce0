"""A person's own API tokens: the list, a new one (its key shown once) and revoking one.

The form carries a one-time id, signed for its person: sent twice (a double click, the browser's reload of
the answer), it makes one token, and the second answer says so instead of showing the key again. Another
person's form id is refused. Another person's token does not exist here (404).
"""

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from projects.models import ApiToken
from projects.services import tokens as services
from projects.views.dwellings import add_errors


def _signer(user) -> signing.Signer:
    return signing.Signer(salt=f"projects.api-token-form:{user.pk}")


def new_form_id(user) -> str:
    """A one-time id for one form to make a token, valid for ``user`` only."""
    return _signer(user).sign(uuid.uuid4().hex)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What is the token for?"),
        max_length=services.NAME_MAX_LENGTH,
        help_text=gettext_lazy("For example: the link with our GIS. Only you see it."),
    )
    form_id = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["name"].widget.attrs.update({"class": "form-control", "autocomplete": "off"})
        if not self.is_bound:
            self.initial["form_id"] = new_form_id(user)

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["form_uuid"] = uuid.UUID(_signer(self.user).unsign(cleaned.get("form_id") or ""))
        except (signing.BadSignature, ValueError):
            raise ValidationError(
                _("This form is no longer valid. Make the token again on this page."), code="form_id"
            ) from None
        return cleaned


def _page(request, form, *, new_token=None, new_key=None, status=200):
    return render(
        request,
        "projects/tokens.html",
        {
            "form": form,
            "tokens": list(services.tokens_of(request.user)),
            "new_token": new_token,
            "new_key": new_key,
            "token_days": settings.API_TOKEN_DAYS,
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    """GET: the person's tokens and the form for a new one. POST: make one and show its key, this once."""
    if request.method == "GET":
        return _page(request, TokenForm(user=request.user))
    form = TokenForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            token, key = services.token_create(
                actor=request.user, name=form.cleaned_data["name"], form_id=form.cleaned_data["form_uuid"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if key is None:
                messages.warning(
                    request,
                    _(
                        "This form was sent before: the token %(token)s was made then, and its key was shown "
                        "once. If you did not keep the key, revoke the token and make a new one."
                    )
                    % {"token": token},
                )
                return redirect("tokens:list")
            # The key is in this answer only: never stored, never shown again (never_cache keeps it out
            # of the browser's cache too).
            return _page(request, TokenForm(user=request.user), new_token=token, new_key=key)
    return _page(request, form, status=400)


@login_required
@require_POST
def token_revoke(request, pk):
    try:
        token = services.token_revoke(actor=request.user, token_id=pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The token %(token)s is revoked: it no longer works.") % {"token": token})
    return redirect("tokens:list")
