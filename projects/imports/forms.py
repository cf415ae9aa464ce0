import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.forms import StyledFormMixin

from .parsing import ImportFileError, read_table

# Larger than any register we expect (100,000 dwellings with their people is about 20 MB of CSV).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class ImportForm(StyledFormMixin, forms.Form):
    """The register file, the choice between all-or-nothing and skipping the wrong rows, and whether
    homes that have agreed may be updated.

    The file is checked as a whole here (type by content, header, not empty), so a wrong file is
    refused on the page itself; its rows are checked by the import.
    """

    file = forms.FileField(
        label=_("Register file"),
        help_text=_(
            "CSV (separated by semicolons or commas, UTF-8) or Excel (.xlsx); the first row holds the "
            "column names."
        ),
    )
    skip_invalid = forms.BooleanField(
        label=_("Import the good rows and give me the wrong ones back as a file to fix"),
        required=False,
        help_text=_("Without this, one wrong row stops the import and nothing changes."),
    )
    update_agreed = forms.BooleanField(
        label=_("Also update homes that have already agreed or are further along"),
        required=False,
        help_text=_(
            "Their data were the basis of the agreement and the work. Without this, a row that would "
            "change such a home is refused, and nothing changes for that home."
        ),
    )
    # A token per form: a second submit of the same form (double click, reload) finds the first import.
    submission = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skip_invalid"].widget.attrs["class"] = "form-check-input"
        self.fields["update_agreed"].widget.attrs["class"] = "form-check-input"
        self.fields["file"].widget.attrs["accept"] = (
            ".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        if not self.is_bound:
            self.initial.setdefault("submission", uuid.uuid4())
        self.estimated_rows = 0

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(size)d MB).")
                % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        try:
            with read_table(upload) as table:
                self.estimated_rows = table.estimated_rows
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        upload.seek(0)
        return upload
