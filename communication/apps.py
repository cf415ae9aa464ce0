from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationConfig(AppConfig):
    name = "communication"
    verbose_name = _("Communication")

    def ready(self):
        from anymail.signals import tracking
        from auditlog.registry import auditlog

        from communication import (
            delivery,
            pages,  # noqa: F401 - buttons, the project's figures and the timeline's messages
        )
        from communication.models import AutomaticRule, CommunicationSettings, Template
        from projects import workflow

        tracking.connect(delivery.on_anymail_tracking, dispatch_uid="communication-anymail-tracking")

        @workflow.on_moved_many
        def automatic_messages(events):
            """Moves in a project with automatic messages on: one task per chunk, which reads the rules."""
            from communication import tasks

            projects = {event.project_id for event in events}
            if CommunicationSettings.objects.filter(project_id__in=projects, automatic=True).exists():
                tasks.automatic_messages_task.delay([event.log_id for event in events])

        auditlog.register(Template, exclude_fields=["updated_at"])
        auditlog.register(CommunicationSettings, exclude_fields=["updated_at"])
        auditlog.register(AutomaticRule)
