from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    RECTOR = "rector", _("Rector")
    VICE_RECTOR = "vice_rector", _("Vice-rector")
    HEAD_OF_DEPARTMENT = "head_of_department", _("Head of department")
    METHODOLOGIST = "methodologist", _("Methodologist")
    PROGRAM_LEADER = "program_leader", _("Program leader")
    TUTOR = "tutor", _("Tutor")
    STUDENT = "student", _("Student")
    REGISTRAR = "registrar", _("Office registrar")
    ADMISSION = "admission", _("Admission committee")
    PROCTOR = "proctor", _("Proctor")
    LIBRARIAN = "librarian", _("Librarian")
    PRACTICE_SUPERVISOR = "practice_supervisor", _("Practice supervisor")
    ACCOUNTANT = "accountant", _("Accountant")
    PARENT = "parent", _("Parent / legal representative")


class ScopeType(models.TextChoices):
    SITE = "site", _("Whole university")
    FACULTY = "faculty", _("Faculty")
    PROGRAM = "program", _("Educational program")
    COURSE = "course", _("Course offering")
    GROUP = "group", _("Study group")


# Roles that can change marks or issue orders: TOTP is required for them.
MFA_REQUIRED_ROLES = frozenset(
    {Role.ADMIN, Role.RECTOR, Role.VICE_RECTOR, Role.TUTOR, Role.REGISTRAR}
)
STAFF_ROLES = frozenset(set(Role) - {Role.STUDENT, Role.PARENT})
# Roles that see the whole university's academic structure when granted site-wide.
ADMINISTRATION_ROLES = frozenset(
    {Role.ADMIN, Role.RECTOR, Role.VICE_RECTOR, Role.REGISTRAR, Role.ADMISSION}
)
