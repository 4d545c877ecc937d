"""Periodic jobs of the testing complex (run by ``manage.py run_periodic``)."""

from qashyq.core.periodic import Job

from .services.attempts import attempts_finish_overdue

# A read or a save of an overdue attempt finishes it at once; this catches students who left.
JOBS = [Job("finish overdue test attempts", 30, attempts_finish_overdue)]
