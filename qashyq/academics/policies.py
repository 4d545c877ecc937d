"""Who may see and change the academic structure.

Roles are scoped (site, faculty, program, course, group). What a user may see is worked out once
per request from their roles and a few id lists (the ``Reach``), kept on the user object, so a
list page that asks a predicate for every row costs no query per row. ``selectors.visible_groups``
and ``visible_students`` build their filters from the same ``Reach``, so a list never shows a row
that the detail page would refuse, nor hides one it would show.

The matrix (who sees what) is documented in docs/subsystems/roles-and-permissions.md:

* administration roles (admin, rector, vice-rector, registrar, admission committee) and academic
  oversight roles (head of department, methodologist, program leader, proctor, practice
  supervisor) see everything inside the scope they were granted: site = the whole university,
  faculty = its programs' groups, students and offerings (and offerings of its departments'
  disciplines), program = its groups, students and offerings, group = that group, its students
  and offerings, course = that offering, its groups and their students;
* a tutor sees only what they teach: the offerings they are a tutor of (or hold a course-scoped
  tutor role on), those offerings' groups and students, and groups granted to them by a group
  scope. A tutor role on a faculty, program or the whole site marks an employment and opens no
  student records (DESIGN.md: "a tutor sees only the courses they teach");
* a curator sees their group, its students and its offerings;
* a student sees their own record, their own group and the offerings they are enrolled in;
* a parent sees their child's record and the child's offerings, read-only, but not the child's
  group (which would list the classmates);
* librarian and accountant see no student records for now (the library and finance issues add
  narrow read access of their own).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from qashyq.accounts.roles import Role, ScopeType
from qashyq.accounts.selectors import children_ids, has_role, user_fact, user_role_set

from .models import CourseOffering, Enrollment, Program, StudentProfile, StudyGroup

# Site-wide administration sees all of the structure and every student record.
OVERSEERS = (Role.ADMIN, Role.RECTOR, Role.VICE_RECTOR, Role.REGISTRAR, Role.ADMISSION)
# Academic staff see what lies within the scope they were granted.
SCOPED_STAFF = (
    Role.HEAD_OF_DEPARTMENT,
    Role.METHODOLOGIST,
    Role.PROGRAM_LEADER,
    Role.PROCTOR,
    Role.PRACTICE_SUPERVISOR,
)
# Teaching roles: only course and group scopes open anything.
TEACHING = (Role.TUTOR,)
TEACHING_SCOPES = (ScopeType.COURSE, ScopeType.GROUP)
VIEWERS = (*OVERSEERS, *SCOPED_STAFF, *TEACHING)
STRUCTURE_EDITORS = (Role.ADMIN, Role.REGISTRAR)
PEOPLE_IMPORTERS = (Role.ADMIN, Role.REGISTRAR)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(
        getattr(user, "is_active", False)
    )


@dataclass(frozen=True)
class Reach:
    """The scopes a user's viewing roles cover (from the roles alone, no query)."""

    everything: bool = False
    faculty_ids: frozenset[int] = field(default_factory=frozenset)
    program_ids: frozenset[int] = field(default_factory=frozenset)
    group_ids: frozenset[int] = field(default_factory=frozenset)
    course_ids: frozenset[int] = field(default_factory=frozenset)


def _compute_reach(user) -> Reach:
    ids: dict[str, set[int]] = {t: set() for t in ScopeType.values}
    for role, scope_type, scope_id in user_role_set(user):
        if role not in VIEWERS:
            continue
        if role in TEACHING and scope_type not in TEACHING_SCOPES:
            continue
        if scope_type == ScopeType.SITE:
            return Reach(everything=True)
        ids[scope_type].add(scope_id)
    return Reach(
        faculty_ids=frozenset(ids[ScopeType.FACULTY]),
        program_ids=frozenset(ids[ScopeType.PROGRAM]),
        group_ids=frozenset(ids[ScopeType.GROUP]),
        course_ids=frozenset(ids[ScopeType.COURSE]),
    )


def reach(user) -> Reach:
    if not _signed_in(user):
        return Reach()
    return user_fact(user, "academics.reach", lambda: _compute_reach(user))


# Lazily computed id sets, each at most one query per user per request.


def scoped_program_ids(user) -> frozenset[int]:
    """Programs covered by program scopes and by the faculty scopes."""

    def compute() -> frozenset[int]:
        r = reach(user)
        ids = set(r.program_ids)
        if r.faculty_ids:
            ids.update(
                Program.objects.filter(department__faculty_id__in=r.faculty_ids).values_list(
                    "pk", flat=True
                )
            )
        return frozenset(ids)

    return user_fact(user, "academics.program_ids", compute)


def course_offering_ids(user) -> frozenset[int]:
    """Offerings the user teaches (listed as a tutor) or holds a course-scoped role on."""

    def compute() -> frozenset[int]:
        taught = CourseOffering.tutors.through.objects.filter(user_id=user.pk).values_list(
            "courseoffering_id", flat=True
        )
        return frozenset(reach(user).course_ids) | frozenset(taught)

    return user_fact(user, "academics.course_offering_ids", compute)


def course_group_ids(user) -> frozenset[int]:
    """Groups of the offerings in ``course_offering_ids``."""

    def compute() -> frozenset[int]:
        offerings = course_offering_ids(user)
        if not offerings:
            return frozenset()
        return frozenset(
            CourseOffering.groups.through.objects.filter(
                courseoffering_id__in=offerings
            ).values_list("studygroup_id", flat=True)
        )

    return user_fact(user, "academics.course_group_ids", compute)


def course_student_ids(user) -> frozenset[int]:
    """Students enrolled in the offerings in ``course_offering_ids``."""
    from .models import Enrollment

    def compute() -> frozenset[int]:
        offerings = course_offering_ids(user)
        if not offerings:
            return frozenset()
        return frozenset(
            Enrollment.objects.filter(offering_id__in=offerings).values_list(
                "student_id", flat=True
            )
        )

    return user_fact(user, "academics.course_student_ids", compute)


def curated_group_ids(user) -> frozenset[int]:
    return user_fact(
        user,
        "academics.curated_group_ids",
        lambda: frozenset(
            StudyGroup.objects.filter(curator_id=user.pk).values_list("pk", flat=True)
        ),
    )


def own_group_ids(user) -> frozenset[int]:
    """The study group of the user's own student profile (none or one)."""
    return user_fact(
        user,
        "academics.own_group_ids",
        lambda: frozenset(
            StudentProfile.objects.filter(user_id=user.pk, group_id__isnull=False).values_list(
                "group_id", flat=True
            )
        ),
    )


def offerings_filter(user) -> Q | None:
    """A Q over CourseOffering for the offerings the user may see; None means all of them."""
    r = reach(user)
    if r.everything:
        return None
    q = Q(pk__in=course_offering_ids(user))
    if r.group_ids:
        q |= Q(groups__in=r.group_ids)
    if r.program_ids:
        q |= Q(groups__program_id__in=r.program_ids)
    if r.faculty_ids:
        q |= Q(groups__program__department__faculty_id__in=r.faculty_ids)
        q |= Q(discipline__department__faculty_id__in=r.faculty_ids)
    q |= Q(groups__curator_id=user.pk)
    q |= Q(enrollments__student_id=user.pk)
    children = children_ids(user)
    if children:
        q |= Q(enrollments__student_id__in=children)
    return q


def visible_offering_ids(user) -> frozenset[int]:
    def compute() -> frozenset[int]:
        q = offerings_filter(user)
        qs = CourseOffering.objects.all() if q is None else CourseOffering.objects.filter(q)
        return frozenset(qs.values_list("pk", flat=True).distinct())

    return user_fact(user, "academics.visible_offering_ids", compute)


# --- predicates --------------------------------------------------------------------------------


def can_manage_structure(user) -> bool:
    return has_role(user, STRUCTURE_EDITORS)


def can_import_people(user) -> bool:
    return has_role(user, PEOPLE_IMPORTERS)


def can_view_program(user, program: Program) -> bool:
    if program.is_published:
        return True
    if not _signed_in(user):
        return False
    return reach(user).everything or program.pk in scoped_program_ids(user)


def can_view_group(user, group: StudyGroup) -> bool:
    if not _signed_in(user):
        return False
    r = reach(user)
    return (
        r.everything
        or group.curator_id == user.pk
        or group.pk in r.group_ids
        or group.pk in own_group_ids(user)
        or group.program_id in scoped_program_ids(user)
        or group.pk in course_group_ids(user)
    )


def can_view_student(user, profile: StudentProfile) -> bool:
    if not _signed_in(user):
        return False
    if profile.user_id == user.pk or profile.user_id in children_ids(user):
        return True
    r = reach(user)
    if r.everything:
        return True
    if profile.group_id is not None and (
        profile.group_id in r.group_ids
        or profile.group_id in curated_group_ids(user)
        or profile.group_id in course_group_ids(user)
    ):
        return True
    return profile.program_id in scoped_program_ids(user) or profile.user_id in course_student_ids(
        user
    )


def can_view_offering(user, offering: CourseOffering) -> bool:
    if not _signed_in(user):
        return False
    return reach(user).everything or offering.pk in visible_offering_ids(user)


# Who may read a student's IIN and other sensitive personal data (disability group), besides the
# student and their parent: these roles, over the student's group, program or faculty.
SENSITIVE_DATA_READERS = (Role.ADMIN, Role.REGISTRAR, Role.ADMISSION)


def can_view_student_iin(user, profile: StudentProfile) -> bool:
    """Needs ``profile.program.department`` loaded (select_related) to cost no query per row."""
    if not _signed_in(user):
        return False
    if profile.user_id == user.pk or profile.user_id in children_ids(user):
        return True
    scopes = [
        (ScopeType.PROGRAM, profile.program_id),
        (ScopeType.FACULTY, profile.program.department.faculty_id),
    ]
    if profile.group_id is not None:
        scopes.append((ScopeType.GROUP, profile.group_id))
    return has_role(user, SENSITIVE_DATA_READERS, scopes)


# --- facts about course offerings that the course-level apps share ------------------------------
# (assignments and assessments are sibling layers and may not import each other, so the facts both
# need live here, computed once per user and request.)


def taught_offering_ids(user) -> frozenset[int]:
    """Offerings the user teaches: listed as a tutor, or holding a course-scoped tutor role."""
    if not _signed_in(user):
        return frozenset()

    def compute() -> frozenset[int]:
        listed = CourseOffering.tutors.through.objects.filter(user_id=user.pk).values_list(
            "courseoffering_id", flat=True
        )
        return frozenset(listed) | frozenset(
            scope_id
            for role, scope_type, scope_id in user_role_set(user)
            if role == Role.TUTOR and scope_type == ScopeType.COURSE and scope_id is not None
        )

    return user_fact(user, "academics.taught_offering_ids", compute)


def enrolled_offering_ids(user) -> frozenset[int]:
    """Offerings the user is enrolled in as a student."""
    if not _signed_in(user):
        return frozenset()
    return user_fact(
        user,
        "academics.enrolled_offering_ids",
        lambda: frozenset(
            Enrollment.objects.filter(student_id=user.pk).values_list("offering_id", flat=True)
        ),
    )


def overseen_offering_ids(user, roles) -> bool | frozenset[int]:
    """``True`` when the user holds one of ``roles`` site-wide, else the ids of the offerings
    within the scopes of those roles: the faculty of the discipline's department or of a group's
    program, a program or group the offering is taught to, or the offering itself."""
    if not _signed_in(user):
        return frozenset()
    roles = tuple(sorted(roles))

    def compute() -> bool | frozenset[int]:
        scopes: dict[str, set[int]] = {t: set() for t in ScopeType.values}
        for role, scope_type, scope_id in user_role_set(user):
            if role not in roles:
                continue
            if scope_type == ScopeType.SITE:
                return True
            if scope_id is not None:
                scopes[scope_type].add(scope_id)
        if not any(scopes.values()):
            return frozenset()
        q = Q(pk__in=scopes[ScopeType.COURSE])
        if scopes[ScopeType.GROUP]:
            q |= Q(groups__in=scopes[ScopeType.GROUP])
        if scopes[ScopeType.PROGRAM]:
            q |= Q(groups__program_id__in=scopes[ScopeType.PROGRAM])
        if scopes[ScopeType.FACULTY]:
            q |= Q(discipline__department__faculty_id__in=scopes[ScopeType.FACULTY])
            q |= Q(groups__program__department__faculty_id__in=scopes[ScopeType.FACULTY])
        return frozenset(CourseOffering.objects.filter(q).values_list("pk", flat=True).distinct())

    return user_fact(user, f"academics.overseen_offering_ids:{','.join(roles)}", compute)
