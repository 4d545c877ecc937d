"""Background work of the assessments app: takes ids, safe to run twice, calls a service.

There is no periodic scheduler in the deployment yet (the ``db_worker`` runs enqueued tasks but
cannot schedule them), so the overdue sweep runs three ways: this task (enqueue it from anything
that runs periodically), ``manage.py finish_overdue_attempts`` (cron or a systemd timer, e.g.
every minute), and lazily whenever an overdue attempt is read or written.
"""

from __future__ import annotations

from django.tasks import task


@task()
def finish_overdue_attempts() -> int:
    """Finish every attempt whose deadline plus the grace has passed; returns how many."""
    from .services.attempts import attempts_finish_overdue

    return attempts_finish_overdue()
