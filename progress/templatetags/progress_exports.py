"""The dashboard's buttons for its files: the figures (CSV, XLSX), the monthly reports and, for the lead
party on a project's dashboard, the dwellings."""

from django import template
from django.urls import reverse

from progress.permissions import can_export_dwellings

register = template.Library()


@register.inclusion_tag("progress/_exports.html", takes_context=True)
def export_buttons(context):
    kind, project = context.get("kind"), context.get("project")
    user = context["request"].user
    if project is not None:
        urls = {
            "csv": reverse("progress:project-csv", args=[project.slug]),
            "xlsx": reverse("progress:project-xlsx", args=[project.slug]),
            "reports": reverse("progress:project-reports", args=[project.slug]),
        }
        if can_export_dwellings(user, project):
            urls["dwellings"] = reverse("progress:dwelling-exports", args=[project.slug])
    else:
        urls = {
            "csv": reverse("progress:scope-csv", args=[kind]),
            "xlsx": reverse("progress:scope-xlsx", args=[kind]),
            "reports": reverse("progress:scope-reports", args=[kind]),
        }
    return {"urls": urls}
