import pytest
from django.urls import reverse

from qashyq.accounts.tests.factories import user_with_role
from qashyq.courses.tests.factories import MaterialFactory


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


@pytest.mark.parametrize("name", ["eumk", "eumkversion", "topic", "material"])
def test_admin_lists_and_change_pages_open_for_the_admin(client, db, name):
    material = MaterialFactory()
    version = material.topic.version
    objs = {
        "eumk": version.eumk,
        "eumkversion": version,
        "topic": material.topic,
        "material": material,
    }
    client.force_login(user_with_role("admin"))
    assert client.get(reverse(f"admin:courses_{name}_changelist")).status_code == 200
    change = reverse(f"admin:courses_{name}_change", args=[objs[name].pk])
    assert client.get(change).status_code == 200


def test_admin_area_is_closed_to_a_methodologist(client, db):
    client.force_login(user_with_role("methodologist"))
    assert client.get(reverse("admin:courses_eumk_changelist")).status_code in (302, 403)


@pytest.mark.parametrize(
    "model",
    ["consultationslot", "materialcompletion", "offlinepackagesettings"],
)
def test_read_only_lists_open_for_the_administrator(client, db, model):
    client.force_login(user_with_role("admin"))
    assert client.get(f"/admin/courses/{model}/").status_code == 200
    assert client.get(f"/admin/courses/{model}/add/").status_code == 403
