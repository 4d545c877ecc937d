"""The Django admin takes its permissions from policies (roles), not from is_staff."""

import pytest

from qashyq.academics.models import Faculty
from qashyq.academics.tests.factories import FacultyFactory, StudentProfileFactory
from qashyq.accounts.models import RoleAssignment
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.core.models import AuditLogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def test_registrar_without_is_staff_works_in_the_academic_admin(client):
    registrar = user_with_role("registrar")
    assert not registrar.is_staff
    StudentProfileFactory()
    client.force_login(registrar)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/academics/studentprofile/").status_code == 200
    response = client.post(
        "/admin/academics/faculty/add/",
        {
            "code": "NEW",
            "name_kk": "Жаңа",
            "name_ru": "Новый",
            "name_en": "New",
            "departments-TOTAL_FORMS": "0",
            "departments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Faculty.objects.filter(code="NEW").exists()


def test_registrar_cannot_grant_roles_or_see_the_audit_log(client):
    client.force_login(user_with_role("registrar"))
    assert client.get("/admin/accounts/roleassignment/").status_code == 403
    assert client.get("/admin/core/auditlogentry/").status_code == 403


@pytest.mark.parametrize("role", ["student", "tutor", "librarian", "rector"])
def test_other_roles_get_a_clear_refusal_and_no_data(client, role):
    faculty = FacultyFactory(name_en="Secret Faculty")
    client.force_login(user_with_role(role, is_staff=True))
    response = client.get("/admin/academics/faculty/", follow=True)
    body = response.content.decode()
    assert response.status_code == 403
    assert faculty.name_en not in body


def test_anonymous_is_sent_to_the_portal_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")


def test_roles_granted_in_the_admin_are_audited(client):
    admin_user = user_with_role("admin")
    target = UserFactory()
    client.force_login(admin_user)
    response = client.post(
        "/admin/accounts/roleassignment/add/",
        {
            "user": target.pk,
            "role": "proctor",
            "scope_type": "site",
            "scope_id": "",
            "reason": "exam session",
        },
    )
    assert response.status_code == 302
    entry = AuditLogEntry.objects.get(action="role.assign", object_id=str(target.pk))
    assert entry.actor == admin_user and entry.reason == "exam session"
    assignment = RoleAssignment.objects.get(user=target, role="proctor")
    client.post(f"/admin/accounts/roleassignment/{assignment.pk}/delete/", {"post": "yes"})
    assert not RoleAssignment.objects.filter(user=target, role="proctor").exists()
    assert AuditLogEntry.objects.filter(action="role.revoke", object_id=str(target.pk)).exists()


def test_registrar_cannot_make_anyone_superuser(client):
    registrar = user_with_role("registrar")
    target = UserFactory()
    client.force_login(registrar)
    page = client.get(f"/admin/accounts/user/{target.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page


def test_even_the_administrator_cannot_write_the_audit_log_in_the_admin(client):
    client.force_login(user_with_role("admin"))
    assert client.get("/admin/core/auditlogentry/").status_code == 200
    assert client.get("/admin/core/auditlogentry/add/").status_code == 403
