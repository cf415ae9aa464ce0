"""What procurement shows on the base's pages (``projects.workflow``): a button to the work packages."""

from django.urls import reverse
from django.utils.translation import gettext as _

from projects import workflow
from projects.workflow import Link


@workflow.project_link
def package_links(user, project) -> list[Link]:
    from procurement.selectors import can_see_packages

    if not can_see_packages(user, project):
        return []
    url = reverse("packages:list", args=[project.slug])
    return [Link(_("Work packages"), url, "packages-link", where=("project", "dwellings"))]
