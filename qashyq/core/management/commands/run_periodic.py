"""``manage.py run_periodic [--once]``: run the apps' periodic jobs (``qashyq.core.periodic``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from qashyq.core import periodic


class Command(BaseCommand):
    help = "Run the periodic jobs of the installed apps (e.g. finishing overdue test attempts)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every job once and exit")

    def handle(self, *args, once: bool = False, **options):
        jobs = periodic.installed_jobs()
        if once:
            for name, count in periodic.run_due(jobs, {}, 0.0).items():
                self.stdout.write(f"{name}: {count}")
            return
        self.stdout.write(
            "Periodic jobs: " + ", ".join(f"{j.name} every {j.every_seconds} s" for j in jobs)
        )

        def report(name: str, count: int) -> None:
            if count:
                self.stdout.write(f"{name}: {count}")

        periodic.run_forever(jobs, on_result=report)
