"""Periodic jobs: small sweeps that must run every so often whoever visits the site.

An app declares them in its ``periodic.py`` as ``JOBS = [Job(name, every_seconds, function)]``;
``manage.py run_periodic`` (started by ``manage.py serve`` next to the task worker, or as its own
process or cron job in a deployment) runs each one when its interval has passed. A job takes no
arguments, returns how many things it changed, is safe to run twice and never raises for bad
data it meets (it logs it).
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import close_old_connections
from django.utils.module_loading import module_has_submodule

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    run: Callable[[], int]


def installed_jobs() -> list[Job]:
    """The jobs of every installed Qashyq app, in INSTALLED_APPS order."""
    jobs: list[Job] = []
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("qashyq."):
            continue
        if module_has_submodule(app_config.module, "periodic"):
            module = importlib.import_module(f"{app_config.name}.periodic")
            jobs.extend(getattr(module, "JOBS", []))
    return jobs


def run_due(jobs: list[Job], last_run: dict[str, float], now: float) -> dict[str, int]:
    """Run the jobs whose interval has passed since ``last_run`` (updated in place); returns
    what each run job reported. A failing job is logged and retried at its next interval."""
    results: dict[str, int] = {}
    for job in jobs:
        if now - last_run.get(job.name, float("-inf")) < job.every_seconds:
            continue
        last_run[job.name] = now
        try:
            results[job.name] = job.run()
        except Exception:
            logger.exception(
                "Periodic job %s failed; it runs again in %s s", job.name, job.every_seconds
            )
    return results


def run_forever(jobs: list[Job], *, tick: float = 1.0, on_result=None) -> None:
    last_run: dict[str, float] = {}
    while True:
        # A long-running process: drop connections that broke or outlived CONN_MAX_AGE first.
        close_old_connections()
        for name, count in run_due(jobs, last_run, time.monotonic()).items():
            if on_result is not None:
                on_result(name, count)
        time.sleep(tick)
