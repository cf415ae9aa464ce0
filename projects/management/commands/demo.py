from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from projects.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load realistic demo data (idempotent) and print one login per party kind."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off. The demo users have a published password.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to load demo users with a known password while DEBUG is off "
                "(use --force on a non-production installation)."
            )
        result = load_demo()
        if result.created_projects:
            self.stdout.write(f"Created demo projects: {', '.join(result.created_projects)}")
        else:
            self.stdout.write("Demo data already present; nothing added.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for user in result.users:
            organisation = user.organisation
            self.stdout.write(f"  {user.email:<34} {organisation.get_kind_display():<22} {organisation.name}")
