"""The people of one's organisation: its administrator adds them, sets their roles and unlocks them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.forms import PersonForm
from projects.history import history_for_object
from projects.models import User
from projects.permissions import can_manage_people, people_managed_by
from projects.services import people as services
from projects.views.dwellings import add_errors


def _manager(request) -> None:
    # Without the administrator role the pages do not exist for a person.
    if not can_manage_people(request.user):
        raise Http404


def _person(request, pk) -> User:
    person = people_managed_by(request.user).select_related("organisation").filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


@login_required
def people_list(request):
    _manager(request)
    people = list(
        people_managed_by(request.user).select_related("organisation").order_by("last_name", "email")
    )
    locked = services.locked_emails([person.email for person in people])
    return render(
        request,
        "projects/people/list.html",
        {"people": people, "locked": locked, "organisation": request.user.organisation},
    )


@login_required
def person_add(request):
    _manager(request)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(person)s is added and gets an e-mail to choose a password.") % {"person": person},
            )
            return redirect("people:list")
    return render(request, "projects/people/form.html", {"form": form, "person": None})


@login_required
def person_edit(request, pk):
    _manager(request)
    person = _person(request, pk)
    form = PersonForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person_id=person.pk, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("people:list")
    return render(
        request,
        "projects/people/form.html",
        {
            "form": form,
            "person": person,
            "locked": person.email in services.locked_emails([person.email]),
            "history": history_for_object(person)[:50],
        },
    )


@login_required
@require_POST
def person_unlock(request, pk):
    _manager(request)
    person = _person(request, pk)
    services.person_unlock(actor=request.user, person_id=person.pk)
    messages.success(request, _("%(person)s can log in again.") % {"person": person})
    return redirect("people:list")
