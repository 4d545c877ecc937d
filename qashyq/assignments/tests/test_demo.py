from django.utils import timezone

from qashyq.assignments import demo
from qashyq.assignments.models import SimilarityReport, Submission, Task
from qashyq.assignments.tests.factories import course


class Ctx:
    def __init__(self, users):
        self.objects = {"users": users}
        self.lines = []

    def log(self, line):
        self.lines.append(line)


def test_demo_seeds_a_task_with_a_flagged_near_copy_pair_once(db):
    offering, tutor, students = course(3)
    ctx = Ctx({"tutor": tutor, "student": students[0]})
    demo.seed(ctx)
    demo.seed(ctx)
    task = Task.objects.get()
    assert task.published and task.offering == offering and task.criteria.count() == 2
    assert Submission.objects.filter(task=task).count() == 3
    # the marks are meant for the weekly mark of the week the essay is due
    week = (timezone.localdate(task.due_at) - offering.period.starts_on).days // 7 + 1
    assert task.gradebook_column == (f"w{week}" if 1 <= week <= 15 else "")
    report = SimilarityReport.objects.get(task=task)
    flagged = {report.submission_a.student, report.submission_b.student}
    assert students[0] in flagged and len(flagged) == 2


def test_demo_does_nothing_without_the_demo_logins(db):
    demo.seed(Ctx({}))
    assert not Task.objects.exists()
