"""Who may do what with applications for distance study and rector's orders.

The matrix (docs/subsystems/admission.md has it as a table):

* Filing an application: any signed-in, active user (a student, or an applicant with an account).
  The applicant sees, edits (while a draft), submits and withdraws (before a decision) their own
  application and downloads its documents.
* The admission committee (role ``admission``), the office registrar and the system
  administrator, site-wide: see the queue, open any application and its documents, approve or
  reject a submitted one.
* Recording a paid-study contract on an application: the registrar and the administrator (the
  finance part replaces this, see ``registrar.contracts``).
* Rector's orders are university-wide documents: the site-wide registrar and the administrator
  draft, edit and delete draft orders; they and the rector register (sign) an order. The
  vice-rector, the rector, the registrar, the administrator and the admission committee read
  orders and download their PDF.
* A student named in a registered order downloads an extract of it: the heading and their own
  line only, never the other students' names.
* Anyone else: denied.
"""

from __future__ import annotations

from qashyq.accounts.roles import Role
from qashyq.accounts.selectors import has_role


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


REVIEWER_ROLES = (Role.ADMISSION, Role.REGISTRAR, Role.ADMIN)
DRAFTER_ROLES = (Role.REGISTRAR, Role.ADMIN)
SIGNER_ROLES = (Role.RECTOR, Role.REGISTRAR, Role.ADMIN)
ORDER_READER_ROLES = (
    Role.RECTOR,
    Role.VICE_RECTOR,
    Role.REGISTRAR,
    Role.ADMIN,
    Role.ADMISSION,
)


# --- applications --------------------------------------------------------------------------------


def can_file_application(user) -> bool:
    return _signed_in(user)


def is_applicant(user, application) -> bool:
    return _signed_in(user) and application.applicant_id == user.pk


def can_review_applications(user) -> bool:
    """Sees the admission committee's queue and decides applications."""
    return _signed_in(user) and has_role(user, REVIEWER_ROLES)


def can_view_application(user, application) -> bool:
    return is_applicant(user, application) or can_review_applications(user)


def can_edit_application(user, application) -> bool:
    """Change the text, the ground and the documents: the applicant, while it is a draft."""
    return is_applicant(user, application)


def can_withdraw_application(user, application) -> bool:
    return is_applicant(user, application)


def can_decide_application(user, application) -> bool:
    return can_review_applications(user)


def can_record_contract(user, application=None) -> bool:
    return _signed_in(user) and has_role(user, DRAFTER_ROLES)


# --- orders --------------------------------------------------------------------------------------


def can_draft_orders(user) -> bool:
    """Draft, edit and delete draft rector's orders."""
    return _signed_in(user) and has_role(user, DRAFTER_ROLES)


def can_register_order(user, order=None) -> bool:
    """Register (sign) an order with its number and dates."""
    return _signed_in(user) and has_role(user, SIGNER_ROLES)


def can_view_orders(user) -> bool:
    """The list of orders and any order with every line."""
    return _signed_in(user) and has_role(user, ORDER_READER_ROLES)


def can_view_order(user, order) -> bool:
    return can_view_orders(user)


def can_view_order_extract(user, order, student_ids) -> bool:
    """A student named in a registered order sees an extract with only their own line."""
    return (
        _signed_in(user) and order.status == "registered" and user.pk in set(student_ids)
    ) or can_view_order(user, order)
