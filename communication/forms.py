from django import forms
from django.utils.translation import gettext_lazy as _

from communication import placeholders
from communication.models import PERSONAL_KEYS, CommunicationSettings, Recipients, Template, TemplateKey
from projects.models import Ownership
from projects.states import DwellingState


def _check(value):
    placeholders.check(value)
    return value


class TemplateForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    email_subject = forms.CharField(label=_("E-mail subject"), max_length=200, validators=[_check])
    email_body = forms.CharField(
        label=_("E-mail text"), widget=forms.Textarea(attrs={"rows": 10}), validators=[_check]
    )
    sms_body = forms.CharField(
        label=_("SMS text"),
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[_check],
        help_text=_("Keep it short: one SMS holds 160 characters."),
    )
    letter_body = forms.CharField(
        label=_("Letter text"), widget=forms.Textarea(attrs={"rows": 10}), validators=[_check]
    )


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160, required=False)
    template_key = forms.ChoiceField(
        label=_("Template"),
        # An invitation to a meeting is made from the meeting's page, with its facts filled in.
        choices=[
            c
            for c in TemplateKey.choices
            if c[0] not in PERSONAL_KEYS and c[0] != TemplateKey.MEETING_INVITATION
        ],
    )
    template = forms.ModelChoiceField(
        label=_("Own message"),
        queryset=Template.objects.none(),
        required=False,
        help_text=_("Only for the template “own message”."),
    )
    states = forms.MultipleChoiceField(
        label=_("States"), choices=DwellingState.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    clusters = forms.MultipleChoiceField(label=_("Clusters"), choices=(), required=False)
    streets = forms.MultipleChoiceField(label=_("Streets"), choices=(), required=False)
    ownership = forms.MultipleChoiceField(
        label=_("Ownership"), choices=Ownership.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    recipients = forms.ChoiceField(
        label=_("To"), choices=Recipients.choices, initial=Recipients.BOTH, widget=forms.RadioSelect
    )
    extra_care = forms.BooleanField(label=_("Only homes marked extra care"), required=False)

    def __init__(self, *args, project, homes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = Template.objects.filter(project=project, key=TemplateKey.CUSTOM)
        clusters = homes.exclude(cluster="").values_list("cluster", flat=True).distinct().order_by("cluster")
        streets = homes.values_list("street", flat=True).distinct().order_by("street")
        self.fields["clusters"].choices = [(c, c) for c in clusters]
        self.fields["streets"].choices = [(s, s) for s in streets]

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            key: data[key]
            for key in ("states", "clusters", "streets", "ownership", "recipients", "extra_care")
        }


class SendForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty to send now."),
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = CommunicationSettings
        fields = ["contact_name", "contact_phone", "contact_email", "approved_templates_only", "automatic"]


class RequestForm(forms.Form):
    dwellings = forms.ModelMultipleChoiceField(label=_("Homes"), queryset=None)
    text = forms.CharField(
        label=_("What should the residents know?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For example: we dig in your street on 12 March; please park elsewhere that day."),
    )

    def __init__(self, *args, homes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dwellings"].queryset = homes.order_by("street", "house_number", "house_letter", "pk")


class ApproveRequestForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    email_subject = forms.CharField(label=_("E-mail subject"), max_length=200, validators=[_check])
    email_body = forms.CharField(
        label=_("E-mail text"), widget=forms.Textarea(attrs={"rows": 8}), validators=[_check]
    )
    sms_body = forms.CharField(
        label=_("SMS text"), widget=forms.Textarea(attrs={"rows": 3}), validators=[_check]
    )
    letter_body = forms.CharField(
        label=_("Letter text"), widget=forms.Textarea(attrs={"rows": 8}), validators=[_check]
    )


class RefuseRequestForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
