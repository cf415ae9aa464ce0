"""What the progress app adds to the base's pages: a button to the project's dashboard."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projects import workflow
from projects.workflow import Link


@workflow.project_link
def dashboard_link(user, project) -> list[Link]:
    from projects.permissions import is_platform_admin, project_roles

    if not (is_platform_admin(user) or project.pk in project_roles(user)):
        return []
    return [
        Link(_("Dashboard"), reverse("progress:project", args=[project.slug]), "dashboard-link", primary=True)
    ]
