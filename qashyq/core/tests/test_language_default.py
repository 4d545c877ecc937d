import pytest

pytestmark = pytest.mark.django_db


def test_kazakh_is_the_default_even_for_an_english_browser(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert '<html lang="kk"' in response.content.decode()


def test_a_chosen_language_is_remembered_by_the_browser_cookie(client):
    client.cookies["qashyq_language"] = "ru"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="ru"' in response.content.decode()
