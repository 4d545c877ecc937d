"""``manage.py finish_overdue_attempts [--every SECONDS]``: the overdue-attempt sweep.

Run it from cron or a systemd timer (once a minute is plenty: a read or a save of an overdue
attempt finishes it anyway), or with ``--every 30`` as a small long-running process.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from qashyq.assessments.services.attempts import attempts_finish_overdue


class Command(BaseCommand):
    help = "Finish every test attempt whose deadline (plus the grace period) has passed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            help="Keep running and sweep every N seconds (default: sweep once and exit).",
        )

    def handle(self, *args, every: int = 0, **options):
        while True:
            count = attempts_finish_overdue()
            self.stdout.write(f"Finished {count} overdue attempt(s).")
            if every <= 0:
                return
            time.sleep(every)
