"""Who may do what with tasks, submissions and grades.

* the tutors of an offering (listed as its tutors, or holding a course-scoped tutor role on it)
  create, edit and publish its tasks, see every submission, grade, run the similarity check and
  send the released marks to the e-journal;
* a student enrolled in the offering sees its published tasks, submits, and sees their own
  attempts (and those of group submissions that name them) and released feedback;
* methodologists and heads of department see, read-only, the tasks (drafts too), every
  submission, grade (released or not) and similarity report of the offerings within the scope of
  their role (site; the faculty of the discipline's department or of a group's program; a program
  or group the offering is taught to; the offering itself). They never grade, run the similarity
  check, submit nor edit: those predicates do not include them;
* nobody else sees anything here.
"""

from __future__ import annotations

from qashyq.academics.models import CourseOffering
from qashyq.academics.policies import (
    _signed_in,
    enrolled_offering_ids,
    overseen_offering_ids,
    taught_offering_ids,
)
from qashyq.accounts.roles import Role

from .models import Submission, Task

# Academic oversight: read-only access to the independent work of the offerings in their scope.
OVERSIGHT_ROLES = (Role.METHODOLOGIST, Role.HEAD_OF_DEPARTMENT)


def _overseen(user) -> bool | frozenset[int]:
    """True for a site-wide oversight role, else the ids of the offerings in its scopes."""
    return overseen_offering_ids(user, OVERSIGHT_ROLES)


def can_oversee(user, offering: CourseOffering) -> bool:
    """A methodologist or head of department whose scope covers the offering (read-only)."""
    overseen = _overseen(user)
    return overseen is True or offering.pk in overseen


def can_manage_tasks(user, offering: CourseOffering) -> bool:
    return offering.pk in taught_offering_ids(user)


def can_view_all_work(user, offering: CourseOffering) -> bool:
    """Every task (drafts too), submission, grade and similarity report of the offering: its
    tutors, and read-only its overseers."""
    return can_manage_tasks(user, offering) or can_oversee(user, offering)


def can_list_tasks(user, offering: CourseOffering) -> bool:
    return can_view_all_work(user, offering) or offering.pk in enrolled_offering_ids(user)


def can_view_task(user, task: Task) -> bool:
    if can_view_all_work(user, task.offering):
        return True
    return task.published and task.offering_id in enrolled_offering_ids(user)


def can_submit(user, task: Task) -> bool:
    return task.published and task.offering_id in enrolled_offering_ids(user)


def can_view_submission(user, submission: Submission) -> bool:
    if not _signed_in(user):
        return False
    if can_view_all_work(user, submission.task.offering):
        return True
    if submission.student_id == user.pk:
        return True
    return submission.group_members.filter(pk=user.pk).exists()


def can_grade(user, submission: Submission) -> bool:
    return can_manage_tasks(user, submission.task.offering)


def can_view_grade(user, submission: Submission) -> bool:
    """The grade before it is released: the tutors, and read-only the overseers."""
    return can_view_all_work(user, submission.task.offering)


def can_run_similarity(user, task: Task) -> bool:
    return can_manage_tasks(user, task.offering)


def can_view_similarity(user, task: Task) -> bool:
    return can_view_all_work(user, task.offering)


def can_post_to_gradebook(user, task: Task) -> bool:
    """Sending the task's released marks to the e-journal: the tutors who grade them."""
    return can_manage_tasks(user, task.offering)
