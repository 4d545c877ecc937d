import pytest
from django.contrib.auth.models import AnonymousUser

from qashyq.accounts import policies
from qashyq.accounts.models import ParentLink
from qashyq.accounts.roles import Role
from qashyq.accounts.selectors import (
    children_of,
    has_role,
    primary_role,
    role_labels,
    role_scope_ids,
    user_roles,
)
from qashyq.accounts.tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

# who may:           manage users, manage roles, view another user, mint a token for another
# fmt: off
ACCOUNT_MATRIX = {
    None:                    (False, False, False, False),
    Role.ADMIN:              (True,  True,  True,  True),
    Role.REGISTRAR:          (True,  False, True,  False),
    Role.RECTOR:             (False, False, False, False),
    Role.VICE_RECTOR:        (False, False, False, False),
    Role.HEAD_OF_DEPARTMENT: (False, False, False, False),
    Role.METHODOLOGIST:      (False, False, False, False),
    Role.PROGRAM_LEADER:     (False, False, False, False),
    Role.TUTOR:              (False, False, False, False),
    Role.STUDENT:            (False, False, False, False),
    Role.ADMISSION:          (False, False, False, False),
    Role.PROCTOR:            (False, False, False, False),
    Role.LIBRARIAN:          (False, False, False, False),
    Role.PRACTICE_SUPERVISOR:(False, False, False, False),
    Role.ACCOUNTANT:         (False, False, False, False),
    Role.PARENT:             (False, False, False, False),
}
# fmt: on


@pytest.mark.parametrize(("role", "expected"), list(ACCOUNT_MATRIX.items()))
def test_account_matrix(role, expected):
    actor = user_with_role(role) if role else UserFactory()
    other = UserFactory()
    answers = (
        policies.can_manage_users(actor),
        policies.can_manage_roles(actor),
        policies.can_view_user(actor, other),
        policies.can_create_api_token(actor, other),
    )
    assert answers == expected
    # everybody signed in sees themself and mints their own tokens
    assert policies.can_view_user(actor, actor)
    assert policies.can_create_api_token(actor, actor)


def test_every_role_is_in_the_account_matrix():
    assert set(ACCOUNT_MATRIX) - {None} == set(Role)


def test_anonymous_may_do_nothing():
    anonymous = AnonymousUser()
    someone = UserFactory()
    assert not policies.can_manage_users(anonymous)
    assert not policies.can_manage_roles(anonymous)
    assert not policies.can_view_user(anonymous, someone)
    assert not policies.can_create_api_token(anonymous, someone)


def test_a_scoped_admin_or_registrar_role_is_not_a_site_wide_one():
    assert not policies.can_manage_roles(user_with_role(Role.ADMIN, "faculty", 1))
    assert not policies.can_manage_users(user_with_role(Role.REGISTRAR, "faculty", 1))


def test_parent_sees_only_their_own_child():
    parent, child, stranger = UserFactory(), UserFactory(), UserFactory()
    ParentLink.objects.create(parent=parent, student=child)
    assert policies.can_view_user(parent, child)
    assert not policies.can_view_user(parent, stranger)
    assert not policies.can_view_user(child, parent)
    assert children_of(parent) == [child]


def test_has_role_scopes():
    head = user_with_role(Role.HEAD_OF_DEPARTMENT, "faculty", 4)
    assert has_role(head, Role.HEAD_OF_DEPARTMENT, [("faculty", 4)])
    assert not has_role(head, Role.HEAD_OF_DEPARTMENT, [("faculty", 5)])
    assert not has_role(head, Role.HEAD_OF_DEPARTMENT)  # not site-wide
    assert not has_role(head, Role.HEAD_OF_DEPARTMENT, [("program", 4)])  # ids are per type
    rector = user_with_role(Role.RECTOR)
    assert has_role(rector, [Role.ADMIN, Role.RECTOR], [("faculty", 9)])  # site covers all
    assert role_scope_ids(head, Role.HEAD_OF_DEPARTMENT, "faculty") == {4}
    assert not has_role(AnonymousUser(), Role.STUDENT)


def test_primary_role_is_the_most_senior_one():
    user = user_with_role(Role.TUTOR)
    from qashyq.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=user, role=Role.RECTOR)
    RoleAssignment.objects.create(user=user, role=Role.PARENT)
    fresh = type(user).objects.get(pk=user.pk)
    assert user_roles(fresh) == {"tutor", "rector", "parent"}
    assert primary_role(fresh) == "rector"
    assert primary_role(UserFactory()) is None
    assert len(role_labels(fresh)) == 3
