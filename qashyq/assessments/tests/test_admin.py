"""The admin shows banks, questions and versions for reading and changes none of them."""

import pytest
from django.urls import reverse

from qashyq.accounts.tests.factories import user_with_role
from qashyq.assessments import services

from .test_models_services import build_bank_world, make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank_world(db):
    return build_bank_world()


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


@pytest.mark.parametrize(
    "name", ["questionbank", "questioncategory", "question", "questionversion"]
)
def test_admin_pages_open_read_only_for_the_administrator(client, bank_world, name):
    w = bank_world
    category = services.category_ensure_path(actor=w.admin, bank=w.bank, path=("Бөлім",))
    question = make_question(w, category=category)
    objs = {
        "questionbank": w.bank,
        "questioncategory": category,
        "question": question,
        "questionversion": question.current_version,
    }
    client.force_login(w.admin)
    assert client.get(reverse(f"admin:assessments_{name}_changelist")).status_code == 200
    page = client.get(reverse(f"admin:assessments_{name}_change", args=[objs[name].pk]))
    assert page.status_code == 200
    assert client.get(reverse(f"admin:assessments_{name}_add")).status_code == 403
    if name == "questionversion":
        # the data is shown as readable JSON, Kazakh letters and all
        assert "Шәкәрім" in page.content.decode()


def test_admin_area_is_closed_to_a_methodologist(client, db):
    client.force_login(user_with_role("methodologist"))
    response = client.get(reverse("admin:assessments_questionbank_changelist"))
    assert response.status_code in (302, 403)
