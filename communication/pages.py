"""What communication shows on the base's pages: buttons to its pages, the project's message figures
(counts only) with the warning under dispersed communication, and the messages in a home's timeline."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from projects import timeline, workflow
from projects.workflow import Link


@workflow.project_link
def communication_links(user, project) -> list[Link]:
    from communication.permissions import asking_projects, can_speak

    links = []
    if can_speak(user, project):
        links.append(
            Link(
                _("Messages to residents"),
                reverse("communication:campaign-create", args=[project.slug]),
                "campaign-link",
            )
        )
        links.append(
            Link(_("Templates"), reverse("communication:templates", args=[project.slug]), "templates-link")
        )
        links.append(
            Link(
                _("Communication settings"),
                reverse("communication:settings", args=[project.slug]),
                "communication-settings-link",
            )
        )
    elif project.pk in asking_projects(user):
        links.append(
            Link(
                _("Ask to inform residents"),
                reverse("communication:request-create", args=[project.slug]),
                "request-link",
            )
        )
    return links


@workflow.project_panel
def messages_panel(request, project) -> str | None:
    from communication.permissions import is_dispersed
    from communication.selectors import project_counts

    counts = project_counts(request.user, project)
    if counts is None:
        return None
    dispersed = is_dispersed(project)
    if not counts and not dispersed:
        return None
    return render_to_string(
        "communication/_project_panel.html",
        {"counts": counts, "dispersed": dispersed, "project": project},
        request=request,
    )


@timeline.register
def message_entries(dwelling, viewer):
    """Every message to the people of the home: public (the resident reads what was sent to them), with
    the channel, address and status for the parties that may read messages."""
    from communication.selectors import dwelling_messages

    for message in dwelling_messages(viewer, dwelling):
        title = _("%(channel)s to %(name)s: %(subject)s") % {
            "channel": message.get_channel_display(),
            "name": message.recipient_name,
            "subject": message.subject or message.body[:60],
        }
        detail = f"{message.get_status_display()}"
        if message.fallback:
            detail += f" · {message.get_fallback_display()}"
        if message.reason:
            detail += f" · {message.reason}"
        yield timeline.TimelineEntry(
            at=message.sent_at or message.created_at,
            kind="message",
            title=title,
            body=detail,
            actor="",
            organisation="",
            public=True,
            url=reverse("communication:person", args=[message.contact_id]) if message.contact_id else "",
        )


@workflow.dwelling_panel
def people_messages_panel(request, dwelling) -> str | None:
    """Per person of the home: how many messages, the last one's channel and status, and a link to the
    person's history. For the parties that read messages and see the people."""
    from communication.selectors import people_message_rows

    rows = people_message_rows(request.user, dwelling)
    if rows is None:
        return None
    return render_to_string(
        "communication/_dwelling_panel.html", {"rows": rows, "dwelling": dwelling}, request=request
    )
