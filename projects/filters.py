"""Filters of the dwelling list (and of bulk moves, which act on the same selection)."""

import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models import Contact, Dwelling, Ownership
from projects.states import DwellingState

POSTCODE = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")


class DwellingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    # A dwelling has one state: no DISTINCT needed (it would make every count sort all 40 columns).
    state = django_filters.MultipleChoiceFilter(
        label=_("State"), choices=DwellingState.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    cluster = django_filters.CharFilter(label=_("Cluster"), field_name="cluster", lookup_expr="iexact")
    street = django_filters.CharFilter(label=_("Street"), field_name="street", lookup_expr="icontains")
    postcode = django_filters.CharFilter(label=_("Postcode"), method="filter_postcode")
    ownership = django_filters.ChoiceFilter(label=_("Ownership"), choices=Ownership.choices)
    extra_care = django_filters.BooleanFilter(label=_("Extra care"))

    class Meta:
        model = Dwelling
        fields = ["q", "state", "cluster", "street", "postcode", "ownership", "extra_care"]

    def __init__(self, *args, people_projects: list[int] | None = (), **kwargs):
        """``people_projects``: the projects in which a dwelling may be found by its people's names
        (``projects.permissions.people_search_projects``); None for every project of the queryset (a
        list of one project whose people the user may search)."""
        super().__init__(*args, **kwargs)
        self.people_projects = people_projects

    @property
    def form(self):
        form = super().form
        if not getattr(form, "styled", False):
            for field in form.fields.values():
                widget = field.widget
                if isinstance(widget, forms.CheckboxSelectMultiple):
                    continue
                css = (
                    "form-select form-select-sm"
                    if isinstance(widget, forms.Select)
                    else "form-control form-control-sm"
                )
                widget.attrs["class"] = css
            form.styled = True
        return form

    def filter_postcode(self, queryset, name, value):
        compact = value.replace(" ", "").upper()
        if len(compact) >= 6:
            return queryset.filter(postcode=f"{compact[:4]} {compact[4:6]}")
        return queryset.filter(postcode__startswith=compact[:4])

    def search(self, queryset, name, value):
        """An address (street, place, cluster, postcode, BAG id) or, for who may see them, a person's name.

        Each part is answered by an index (trigram indexes on the upper-cased texts, the postcode and BAG
        id exactly), and the matches are gathered as a UNION of ids, so that the cost grows with the
        number of matches, not with the size of the project: an OR with the people's subquery would make
        PostgreSQL read every dwelling of the project."""
        value = value.strip()
        if not value:
            return queryset
        address = Q(street__icontains=value) | Q(city__icontains=value) | Q(cluster__icontains=value)
        compact = value.replace(" ", "").upper()
        if POSTCODE.fullmatch(compact):
            address |= Q(postcode=f"{compact[:4]} {compact[4:]}")
        if value.isdigit():
            address |= Q(bag_id=value)
        matches = queryset.filter(address).order_by().values("pk")
        if self.people_projects is None or self.people_projects:
            # Only who may see the names in a project can find its dwellings by their people.
            people = Contact.objects.filter(name__icontains=value)
            if self.people_projects is not None:
                people = people.filter(dwelling__project_id__in=self.people_projects)
            matches = matches.union(people.order_by().values("dwelling_id"))
        return queryset.filter(pk__in=matches)
