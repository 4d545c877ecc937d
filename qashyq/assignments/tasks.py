"""Background work of the assignments app: takes ids, safe to run twice, calls a service."""

from __future__ import annotations

from django.tasks import task


@task()
def run_similarity_check(task_id: int) -> int:
    """Recompute the similarity reports of one task; returns the number of flagged pairs."""
    from .services import similarity_check_run

    return len(similarity_check_run(task_id=task_id))
