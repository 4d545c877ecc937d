"""Who may do what with tasks, submissions and grades.

* the tutors of an offering (listed as its tutors, or holding a course-scoped tutor role on it)
  create, edit and publish its tasks, see every submission, grade and run the similarity check;
* a student enrolled in the offering sees its published tasks, submits, and sees their own
  attempts (and those of group submissions that name them) and released feedback;
* nobody else sees anything here yet (oversight roles get read access in a later step).
"""

from __future__ import annotations

from qashyq.academics.models import CourseOffering, Enrollment
from qashyq.accounts.roles import Role, ScopeType
from qashyq.accounts.selectors import role_scope_ids, user_fact

from .models import Submission, Task


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(
        getattr(user, "is_active", False)
    )


def taught_offering_ids(user) -> frozenset[int]:
    if not _signed_in(user):
        return frozenset()

    def compute() -> frozenset[int]:
        listed = CourseOffering.tutors.through.objects.filter(user_id=user.pk).values_list(
            "courseoffering_id", flat=True
        )
        return frozenset(listed) | frozenset(
            i for i in role_scope_ids(user, Role.TUTOR, ScopeType.COURSE) if i is not None
        )

    return user_fact(user, "assignments.taught_offering_ids", compute)


def enrolled_offering_ids(user) -> frozenset[int]:
    if not _signed_in(user):
        return frozenset()
    return user_fact(
        user,
        "assignments.enrolled_offering_ids",
        lambda: frozenset(
            Enrollment.objects.filter(student_id=user.pk).values_list("offering_id", flat=True)
        ),
    )


def can_manage_tasks(user, offering: CourseOffering) -> bool:
    return offering.pk in taught_offering_ids(user)


def can_list_tasks(user, offering: CourseOffering) -> bool:
    return can_manage_tasks(user, offering) or offering.pk in enrolled_offering_ids(user)


def can_view_task(user, task: Task) -> bool:
    if can_manage_tasks(user, task.offering):
        return True
    return task.published and task.offering_id in enrolled_offering_ids(user)


def can_submit(user, task: Task) -> bool:
    return task.published and task.offering_id in enrolled_offering_ids(user)


def can_view_submission(user, submission: Submission) -> bool:
    if not _signed_in(user):
        return False
    if can_manage_tasks(user, submission.task.offering):
        return True
    if submission.student_id == user.pk:
        return True
    return submission.group_members.filter(pk=user.pk).exists()


def can_grade(user, submission: Submission) -> bool:
    return can_manage_tasks(user, submission.task.offering)


def can_run_similarity(user, task: Task) -> bool:
    return can_manage_tasks(user, task.offering)
