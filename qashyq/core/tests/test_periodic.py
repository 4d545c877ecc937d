"""Periodic jobs: discovered from the apps, run when due, a failing job does not stop the rest."""

import pytest
from django.core.management import call_command

from qashyq.core import periodic
from qashyq.core.periodic import Job

pytestmark = pytest.mark.django_db


def test_the_testing_complex_declares_its_overdue_sweep():
    names = {job.name for job in periodic.installed_jobs()}
    assert "finish overdue test attempts" in names


def test_a_job_runs_when_its_interval_has_passed_and_not_before():
    calls = []
    job = Job("count", 30, lambda: calls.append(1) or len(calls))
    last_run: dict[str, float] = {}

    assert periodic.run_due([job], last_run, 100.0) == {"count": 1}
    assert periodic.run_due([job], last_run, 129.0) == {}
    assert periodic.run_due([job], last_run, 130.0) == {"count": 2}


def test_a_failing_job_is_logged_and_the_others_still_run(caplog):
    def broken():
        raise RuntimeError("boom")

    results = periodic.run_due([Job("broken", 10, broken), Job("fine", 10, lambda: 3)], {}, 0.0)

    assert results == {"fine": 3}
    assert "Periodic job broken failed" in caplog.text


def test_run_periodic_once_runs_every_job(capsys):
    call_command("run_periodic", "--once")
    assert "finish overdue test attempts: 0" in capsys.readouterr().out
