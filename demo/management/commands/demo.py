from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.loading import load_demo
from demo.parties import DEMO_PASSWORD, TUINDORP, DemoError


def _processes(count: int) -> str:
    return f"{count} process" if count == 1 else f"{count} processes"


class Command(BaseCommand):
    help = (
        "Load realistic demo data (idempotent) and print the demo logins with their roles. With "
        "--dwellings N, add demo dwellings with their history until the project has N (none are "
        "removed). The connection plans of the demo's homes are made the first time (a minute or two)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off. The demo users have a published password.",
        )
        parser.add_argument(
            "--dwellings",
            type=int,
            metavar="N",
            help="Scale the project to N dwellings (100000 takes a few minutes).",
        )
        parser.add_argument(
            "--project",
            default=TUINDORP,
            metavar="SLUG",
            help=f"The project that --dwellings scales (default: {TUINDORP}).",
        )
        parser.add_argument(
            "--no-plans",
            dest="plans",
            action="store_false",
            help="Do not make the connection plans (PDF) of the demo's homes.",
        )
        parser.add_argument(
            "--plan-processes",
            type=int,
            metavar="N",
            help="Processes that make the plans (default: one per core).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to load demo users with a known password while DEBUG is off "
                "(use --force on a non-production installation)."
            )
        target = options["dwellings"]
        if target is not None and target < 0:
            raise CommandError("--dwellings must be 0 or more.")
        if options["plan_processes"] is not None and options["plan_processes"] < 1:
            raise CommandError("--plan-processes must be 1 or more.")
        dwellings = {options["project"]: target} if target is not None else {}
        try:
            result = load_demo(
                dwellings=dwellings,
                progress=self._progress,
                plans=options["plans"],
                plan_progress=self._plan_progress,
                plan_processes=options["plan_processes"],
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc

        if result.created_projects:
            self.stdout.write(f"Created demo projects: {', '.join(result.created_projects)}")
        if result.created_users:
            self.stdout.write(f"Added {len(result.created_users)} demo users.")
        if result.roles_set:
            self.stdout.write(f"Gave their demo roles to {', '.join(result.roles_set)}.")
        for fill in result.dwellings:
            if fill.added:
                self.stdout.write(
                    f"Added {fill.added:,} dwellings to {fill.project} in {fill.seconds:.1f} s "
                    f"({fill.after:,} in all)."
                )
            elif fill.before > fill.target:
                self.stdout.write(
                    f"{fill.project} has {fill.before:,} dwellings already, more than {fill.target:,}; "
                    "the demo removes none."
                )
            else:
                self.stdout.write(f"{fill.project} has {fill.before:,} dwellings already; nothing added.")
        if result.subcontracted:
            self.stdout.write(f"Gave the subcontractor {result.subcontracted} homes to work on.")
        plans = result.plans
        if plans and plans.homes:
            self.stdout.write(
                f"Made {plans.made:,} connection plans of {plans.homes - len(plans.failed):,} homes in "
                f"{plans.seconds:.1f} s ({_processes(plans.processes)})."
            )
            for dwelling_id, reason in plans.failed:
                self.stderr.write(f"  The plan of dwelling {dwelling_id} failed: {reason}")
        if result.reports:
            self.stdout.write(
                f"Made this month's {result.reports} monthly progress reports (Progress, Monthly reports)."
            )
        if not result.changed:
            self.stdout.write("Demo data already present; nothing added.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for user in result.users:
            organisation = user.organisation
            self.stdout.write(
                f"  {user.email:<31} {organisation.get_kind_display():<18} {organisation.name:<37} "
                f"{user.get_work_roles_display()}"
            )
        if result.resident_links:
            self.stdout.write("")
            self.stdout.write("Resident portal (personal links, no login; new ones on every run):")
            for label, url in result.resident_links:
                self.stdout.write(f"  {label}:\n    {url}")

    def _progress(self, slug, done, total):
        if total >= 10_000 and (done == total or done % 10_000 < 2_000):
            self.stdout.write(f"  {slug}: {done:,} of {total:,} dwellings")

    def _plan_progress(self, done, total, processes):
        if done == 0:
            self._plan_tenth = 0
            self.stdout.write(
                f"Making the connection plans of {total:,} homes in {_processes(processes)} (only the "
                "first time; it takes a while)..."
            )
        elif done == total or done * 10 // total > self._plan_tenth:
            self._plan_tenth = done * 10 // total
            self.stdout.write(f"  connection plans: {done:,} of {total:,} homes")
        self.stdout.flush()
