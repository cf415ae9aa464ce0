from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from projects.diagram import mermaid

TARGET = Path(settings.BASE_DIR) / "docs" / "state-machine.md"


class Command(BaseCommand):
    help = "Write the picture of the connection state machine to docs/state-machine.md."

    def handle(self, *args, **options):
        with translation.override("en"):
            TARGET.write_text(mermaid(), encoding="utf-8")
        self.stdout.write(f"Wrote {TARGET}")
