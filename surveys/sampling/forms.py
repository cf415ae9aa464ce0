from django import forms
from django.utils.translation import gettext_lazy as _

from projects.forms import StyledFormMixin
from surveys.sampling.selectors import DEFAULT_MARGIN_PERCENT, MAX_MARGIN_PERCENT
from surveys.sampling.strata import DEFAULT_PER_STRATUM, MAX_PER_STRATUM


def _per_stratum_field():
    return forms.IntegerField(
        label=_("Sample per stratum (at least)"),
        min_value=1,
        max_value=MAX_PER_STRATUM,
        required=False,
        help_text=_("Dwellings per dwelling type and cluster; a smaller stratum is surveyed entirely."),
        widget=forms.NumberInput(attrs={"placeholder": DEFAULT_PER_STRATUM}),
    )


class FiguresForm(StyledFormMixin, forms.Form):
    """The knobs of the estimates, read from the query string: the margin and the sample size."""

    margin = forms.IntegerField(
        label=_("Margin (%)"),
        min_value=0,
        max_value=MAX_MARGIN_PERCENT,
        required=False,
        help_text=_("Every estimate is shown with bounds: the estimate minus and plus this percentage."),
        widget=forms.NumberInput(attrs={"placeholder": DEFAULT_MARGIN_PERCENT}),
    )
    per_stratum = _per_stratum_field()

    def values(self) -> tuple[int, int]:
        """(margin, per stratum): what the form says when it is valid, the defaults otherwise."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        margin = data.get("margin")
        per_stratum = data.get("per_stratum")
        return (
            DEFAULT_MARGIN_PERCENT if margin is None else margin,
            DEFAULT_PER_STRATUM if per_stratum is None else per_stratum,
        )


class ProposeForm(StyledFormMixin, forms.Form):
    per_stratum = _per_stratum_field()

    def value(self) -> int:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("per_stratum") or DEFAULT_PER_STRATUM
