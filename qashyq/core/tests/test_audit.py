import pytest
from django.contrib.auth.models import AnonymousUser

from qashyq.accounts.tests.factories import UserFactory
from qashyq.accounts.tests.helpers import give_totp
from qashyq.core.models import AuditLogEntry
from qashyq.core.services import audit_record

pytestmark = pytest.mark.django_db


def _entry(actor=None) -> AuditLogEntry:
    user = UserFactory()
    return audit_record(
        actor=actor or user,
        action="role.assign",
        obj=user,
        old=None,
        new={"role": "tutor"},
        reason="order 5",
    )


def test_an_entry_records_who_when_what_old_new_and_why():
    actor = UserFactory()
    entry = _entry(actor)
    entry.refresh_from_db()
    assert entry.actor == actor
    assert entry.created_at is not None and entry.created_at.tzinfo is not None
    assert entry.action == "role.assign"
    assert entry.object_type == "accounts.user"
    assert entry.object_repr
    assert (entry.old_value, entry.new_value, entry.reason) == (None, {"role": "tutor"}, "order 5")


def test_an_anonymous_actor_is_recorded_as_nobody():
    entry = audit_record(actor=AnonymousUser(), action="x", object_type="t", object_id=1)
    assert entry.actor is None and entry.object_id == "1"


def test_an_entry_cannot_be_changed():
    entry = _entry()
    entry.reason = "rewritten"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        AuditLogEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    assert AuditLogEntry.objects.get(pk=entry.pk).reason == "order 5"


def test_an_entry_cannot_be_deleted():
    entry = _entry()
    with pytest.raises(RuntimeError):
        entry.delete()
    with pytest.raises(RuntimeError):
        AuditLogEntry.objects.all().delete()
    with pytest.raises(RuntimeError):
        AuditLogEntry.objects.filter(pk=entry.pk).delete()
    assert AuditLogEntry.objects.filter(pk=entry.pk).exists()


def test_the_admin_site_shows_the_log_read_only(client):
    from qashyq.accounts.tests.factories import user_with_role

    admin = user_with_role("admin", is_staff=True, is_superuser=True)
    give_totp(admin)
    client.force_login(admin)
    entry = _entry(admin)
    assert client.get("/admin/core/auditlogentry/").status_code == 200
    assert client.get("/admin/core/auditlogentry/add/").status_code == 403
    response = client.post(f"/admin/core/auditlogentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    client.post(f"/admin/core/auditlogentry/{entry.pk}/change/", {"reason": "rewritten"})
    assert AuditLogEntry.objects.get(pk=entry.pk).reason == "order 5"
