"""Periodic jobs of the testing complex (run by ``manage.py run_periodic``)."""

from qashyq.core.periodic import Job

from .imports import pending_uploads_sweep
from .services.attempts import attempts_finish_overdue

JOBS = [
    # A read or a save of an overdue attempt finishes it at once; this catches students who left.
    Job("finish overdue test attempts", 30, attempts_finish_overdue),
    # Question files uploaded for an import preview and never confirmed nor cancelled (24 h).
    Job("delete unconfirmed question imports", 3600, pending_uploads_sweep),
]
