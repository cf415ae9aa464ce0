"""What the portal shows on the parties' pages: the residents' questions and their response times on the
project page, and each person's personal link on the dwelling page."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from projects import workflow
from projects.workflow import Link


@workflow.project_link
def inbox_link(user, project) -> list[Link]:
    from portal.permissions import questions_visible_to

    if questions_visible_to(user).filter(project=project).exists():
        return [
            Link(
                _("Questions from residents"),
                reverse("inbox:list") + f"?project={project.slug}",
                "inbox-link",
            )
        ]
    return []


@workflow.project_panel
def response_panel(request, project) -> str | None:
    """Response times to residents (aggregates only: every party of the project may read them)."""
    from portal.selectors import response_figures
    from projects.permissions import project_roles

    if project.pk not in project_roles(request.user) and not request.user.is_superuser:
        return None
    figures = response_figures(project)
    if figures is None:
        return None
    return render_to_string("portal/_project_panel.html", {"figures": figures}, request=request)


@workflow.dwelling_panel
def links_panel(request, dwelling) -> str | None:
    """Each person's personal link: working or not, and a button to revoke it and send a new one."""
    from portal.permissions import can_manage_links
    from portal.selectors import link_rows

    if not can_manage_links(request.user, dwelling):
        return None
    links = link_rows(dwelling)
    people = [
        {"contact": contact, "links": links.get(contact.pk)}
        for contact in dwelling.contacts.order_by("role", "name", "pk")
    ]
    if not people:
        return None
    return render_to_string("portal/_dwelling_panel.html", {"people": people}, request=request)


@workflow.project_link
def meetings_link(user, project) -> list[Link]:
    from communication.permissions import can_speak

    if not can_speak(user, project):
        return []
    return [
        Link(_("Meetings and sounding board"), reverse("meetings:list", args=[project.slug]), "meetings-link")
    ]
