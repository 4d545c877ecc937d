"""Periodic jobs of the registrar (run by ``manage.py run_periodic``)."""

from qashyq.core.periodic import Job

from .services.orders import orders_apply_due

# A registered rector's order whose effective date has come changes the students' records.
JOBS = [Job("apply rector's orders that took effect", 15 * 60, orders_apply_due)]
