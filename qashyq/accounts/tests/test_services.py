import datetime

import pytest
from django.utils import translation

from qashyq.accounts import services
from qashyq.accounts.iin import make_iin
from qashyq.accounts.models import ApiToken, ParentLink, RoleAssignment, User
from qashyq.accounts.roles import Role
from qashyq.accounts.selectors import active_token, has_role, is_parent_of, user_roles
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.accounts.tests.helpers import fake_translations
from qashyq.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

GOOD_IIN = make_iin(datetime.date(2005, 3, 14), female=False, serial=42)


@pytest.fixture
def admin():
    return user_with_role(Role.ADMIN, username="root")


@pytest.fixture
def registrar():
    return user_with_role(Role.REGISTRAR, username="office")


def _snapshot():
    return (
        User.objects.count(),
        RoleAssignment.objects.count(),
        ParentLink.objects.count(),
        AuditLogEntry.objects.count(),
    )


# --- user_create ---------------------------------------------------------------------------------


def test_registrar_creates_a_student_with_a_valid_iin(registrar):
    user = services.user_create(
        actor=registrar,
        username=" Aigerim ",
        email="Aigerim@Example.KZ",
        iin=GOOD_IIN,
        first_name="Айгерім",
        last_name="Сапарова",
        password="a-Long-pass-phrase-9",
        is_student=True,
    )
    user.refresh_from_db()
    assert (user.username, user.email, user.iin) == ("Aigerim", "aigerim@example.kz", GOOD_IIN)
    assert user.check_password("a-Long-pass-phrase-9")


def test_username_is_unique_ignoring_case_also_in_kazakh_letters(registrar):
    services.user_create(actor=registrar, username="Әлия")
    before = _snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.user_create(actor=registrar, username="әлия")
    assert "already taken" in caught.value.details["username"]
    assert _snapshot() == before


def test_staff_may_have_no_iin(registrar):
    user = services.user_create(actor=registrar, username="lecturer")
    assert user.iin == "" and not user.has_usable_password()


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"username": "TAKEN"}, "username", "already taken"),
        ({"username": "new1", "email": "Taken@Example.kz"}, "email", "already belongs"),
        ({"username": "new2", "iin": "taken-iin"}, "iin", "already belongs"),
        ({"username": "new3", "iin": "123"}, "iin", "exactly 12 digits"),
        ({"username": "new4", "iin": GOOD_IIN[:11] + "X"}, "iin", "exactly 12 digits"),
        (
            {"username": "new5", "iin": GOOD_IIN[:11] + str((int(GOOD_IIN[11]) + 1) % 10)},
            "iin",
            "check digit",
        ),
        ({"username": "new6", "iin": "059914512345"}, "iin", "birth date"),
        ({"username": "new7", "is_student": True}, "iin", "required for a student"),
        ({"username": ""}, "username", "required"),
        ({"username": "has space"}, "username", "only letters"),
        ({"username": "new8", "email": "not-an-email"}, "email", "not a valid e-mail"),
        ({"username": "new9", "preferred_language": "de"}, "preferred_language", "Unknown"),
        ({"username": "new10", "password": "123"}, "password", "too short"),
    ],
)
def test_user_create_refuses_bad_input_and_changes_nothing(registrar, kwargs, field, words):
    existing = UserFactory(username="taken", email="taken@example.kz")
    if kwargs.get("iin") == "taken-iin":
        kwargs = {**kwargs, "iin": existing.iin}
    before = _snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.user_create(actor=registrar, **kwargs)
    assert words in caught.value.details[field]
    assert _snapshot() == before


def test_user_create_messages_are_in_the_users_language(registrar, monkeypatch):
    UserFactory(username="taken")
    fake_translations(
        monkeypatch,
        "ru",
        {
            "The username “%(username)s” is already taken.": "Логин «%(username)s» уже занят.",
            "An IIN is required for a student.": "Для студента нужен ИИН.",
        },
    )
    with translation.override("ru"), pytest.raises(ValidationFailed) as caught:
        services.user_create(actor=registrar, username="taken", is_student=True)
    assert caught.value.details == {
        "username": "Логин «taken» уже занят.",
        "iin": "Для студента нужен ИИН.",
    }


@pytest.mark.parametrize("role", [None, Role.TUTOR, Role.RECTOR, Role.STUDENT, Role.ACCOUNTANT])
def test_only_admin_and_registrar_create_users(role):
    actor = user_with_role(role) if role else UserFactory()
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        services.user_create(actor=actor, username="intruder")
    assert _snapshot() == before


def test_a_race_on_the_unique_username_is_a_conflict_not_a_500(registrar, monkeypatch):
    UserFactory(username="dup")
    monkeypatch.setattr(
        services, "_clean_user_fields", lambda **kw: {"username": "DUP", "email": "", "iin": ""}
    )
    before = _snapshot()
    with pytest.raises(Conflict):
        services.user_create(actor=registrar, username="DUP")
    assert _snapshot() == before


# --- roles ---------------------------------------------------------------------------------------


def test_role_assign_is_audited_and_visible_at_once(admin):
    user = UserFactory()
    assert not has_role(user, Role.TUTOR, [("course", 7)])  # fills the per-object cache
    services.role_assign(
        actor=admin, user=user, role=Role.TUTOR, scope_type="course", scope_id=7, reason="order 12"
    )
    assert has_role(user, Role.TUTOR, [("course", 7)])
    entry = AuditLogEntry.objects.get(action="role.assign")
    assert entry.actor == admin
    assert entry.object_id == str(user.pk)
    assert entry.old_value is None
    assert entry.new_value == {"role": "tutor", "scope_type": "course", "scope_id": 7}
    assert entry.reason == "order 12"
    assert entry.created_at is not None


def test_role_change_is_seen_by_another_object_of_the_same_user(admin):
    user = UserFactory()
    other_copy = User.objects.get(pk=user.pk)
    assert user_roles(other_copy) == set()
    services.role_assign(actor=admin, user=user, role=Role.LIBRARIAN)
    assert user_roles(other_copy) == {"librarian"}


def test_assigning_a_held_role_again_logs_nothing(admin):
    user = user_with_role(Role.TUTOR)
    services.role_assign(actor=admin, user=user, role=Role.TUTOR)
    assert not AuditLogEntry.objects.exists()
    assert RoleAssignment.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"role": "pope"}, "role"),
        ({"role": "tutor", "scope_type": "planet", "scope_id": 1}, "scope_type"),
        ({"role": "tutor", "scope_type": "course"}, "scope_id"),
        ({"role": "tutor", "scope_type": "site", "scope_id": 3}, "scope_id"),
        ({"role": "tutor", "scope_type": "course", "scope_id": "x"}, "scope_id"),
    ],
)
def test_role_assign_refuses_bad_input(admin, kwargs, field):
    user = UserFactory()
    before = _snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.role_assign(actor=admin, user=user, **kwargs)
    assert field in caught.value.details
    assert _snapshot() == before


@pytest.mark.parametrize(
    "role", [None, Role.REGISTRAR, Role.RECTOR, Role.HEAD_OF_DEPARTMENT, Role.TUTOR]
)
def test_only_admin_assigns_and_revokes_roles(role):
    actor = user_with_role(role) if role else UserFactory()
    target = user_with_role(Role.TUTOR)
    assignment = RoleAssignment.objects.get(user=target)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        services.role_assign(actor=actor, user=target, role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.role_revoke(actor=actor, assignment=assignment)
    assert _snapshot() == before
    assert user_roles(User.objects.get(pk=target.pk)) == {"tutor"}


def test_role_revoke_is_audited_with_the_old_value(admin):
    user = user_with_role(Role.HEAD_OF_DEPARTMENT, "faculty", 3)
    assert has_role(user, Role.HEAD_OF_DEPARTMENT, [("faculty", 3)])
    assignment = RoleAssignment.objects.get(user=user)
    services.role_revoke(actor=admin, assignment=assignment, reason="left the university")
    assert not RoleAssignment.objects.filter(user=user).exists()
    entry = AuditLogEntry.objects.get(action="role.revoke")
    assert (entry.actor, entry.object_id, entry.reason) == (
        admin,
        str(user.pk),
        "left the university",
    )
    assert entry.old_value == {"role": "head_of_department", "scope_type": "faculty", "scope_id": 3}
    assert entry.new_value is None
    # the object the caller held also forgets the role
    assert not has_role(assignment.user, Role.HEAD_OF_DEPARTMENT, [("faculty", 3)])


def test_revoking_twice_is_a_clear_error(admin):
    user = user_with_role(Role.TUTOR)
    assignment = RoleAssignment.objects.get(user=user)
    services.role_revoke(actor=admin, assignment=assignment)
    with pytest.raises(NotFound):
        services.role_revoke(actor=admin, assignment=assignment)
    assert AuditLogEntry.objects.filter(action="role.revoke").count() == 1


def test_the_last_admin_keeps_the_role(admin):
    assignment = RoleAssignment.objects.get(user=admin)
    before = _snapshot()
    with pytest.raises(ValidationFailed, match="last system administrator"):
        services.role_revoke(actor=admin, assignment=assignment)
    assert _snapshot() == before
    second = user_with_role(Role.ADMIN)
    services.role_revoke(actor=second, assignment=assignment)
    assert not has_role(User.objects.get(pk=admin.pk), Role.ADMIN)


def test_inactive_user_holds_no_role(admin):
    user = user_with_role(Role.REGISTRAR, is_active=False)
    assert not has_role(user, Role.REGISTRAR)
    assert user_roles(user) == set()


# --- parents -------------------------------------------------------------------------------------


def test_parent_link_gives_the_parent_role_and_read_access(registrar):
    student = user_with_role(Role.STUDENT)
    parent = UserFactory()
    assert not is_parent_of(parent, student)
    services.parent_link(actor=registrar, parent=parent, student=student, relation="mother")
    assert has_role(parent, Role.PARENT)
    assert is_parent_of(parent, student)
    assert AuditLogEntry.objects.filter(action="parent.link", object_id=str(parent.pk)).exists()
    assert AuditLogEntry.objects.filter(action="role.assign", object_id=str(parent.pk)).exists()


def test_parent_link_refuses_non_students_and_self_links(registrar):
    parent = UserFactory()
    staff = user_with_role(Role.TUTOR)
    before = _snapshot()
    with pytest.raises(ValidationFailed, match="not a student"):
        services.parent_link(actor=registrar, parent=parent, student=staff)
    student = user_with_role(Role.STUDENT)
    before = _snapshot()
    with pytest.raises(ValidationFailed):
        services.parent_link(actor=registrar, parent=student, student=student)
    with pytest.raises(PermissionDenied):
        services.parent_link(actor=parent, parent=parent, student=student)
    assert _snapshot() == before


def test_parent_unlink_removes_the_role_with_the_last_child(registrar):
    first, second = user_with_role(Role.STUDENT), user_with_role(Role.STUDENT)
    parent = UserFactory()
    link1 = services.parent_link(actor=registrar, parent=parent, student=first)
    link2 = services.parent_link(actor=registrar, parent=parent, student=second)
    services.parent_unlink(actor=registrar, link=link1)
    assert has_role(parent, Role.PARENT) and not is_parent_of(parent, first)
    services.parent_unlink(actor=registrar, link=link2, reason="court order")
    assert not has_role(parent, Role.PARENT)
    assert AuditLogEntry.objects.filter(action="parent.unlink").count() == 2


# --- API tokens and language ---------------------------------------------------------------------


def test_api_token_is_hashed_shown_once_and_revocable():
    user = UserFactory()
    token, key = services.api_token_create(actor=user, owner=user, name="laptop")
    assert key.startswith("qsh_") and key not in token.key_hash
    assert active_token(key).user == user
    assert active_token("qsh_wrong") is None and active_token("") is None
    services.api_token_revoke(actor=user, token=token)
    assert active_token(key) is None
    assert AuditLogEntry.objects.filter(action__startswith="api_token.").count() == 2


def test_nobody_mints_a_token_for_someone_else():
    owner, other = UserFactory(), user_with_role(Role.REGISTRAR)
    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=other, owner=owner)
    assert not ApiToken.objects.exists()


def test_token_of_an_inactive_user_is_refused():
    user = UserFactory()
    _token, key = services.api_token_create(actor=user, owner=user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert active_token(key) is None


def test_api_token_touch_writes_at_most_once_a_minute(django_assert_num_queries):
    user = UserFactory()
    token, _key = services.api_token_create(actor=user, owner=user)
    with django_assert_num_queries(1):
        services.api_token_touch(token=token)
    with django_assert_num_queries(0):
        services.api_token_touch(token=token)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_user_set_language():
    user = UserFactory()
    services.user_set_language(user=user, language="en")
    user.refresh_from_db()
    assert user.preferred_language == "en"
    with pytest.raises(ValidationFailed):
        services.user_set_language(user=user, language="xx")
