import pytest
from django.conf import settings
from django.urls import reverse

from qashyq.academics.tests.factories import DisciplineFactory, ProgramFactory

PUBLIC_PAGES = [
    ("portal:home", {}),
    ("portal:programs", {}),
    ("portal:program_detail", {"code": "6B02101"}),
    ("portal:calendar", {}),
    ("portal:documents", {}),
    ("portal:document_detail", {"slug": "dlt-regulation"}),
    ("portal:guide", {}),
]


def switch_language(client, language):
    response = client.post(reverse("portal:set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302
    return response


@pytest.fixture
def content(program, calendar_year, document):
    return program


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), PUBLIC_PAGES)
def test_public_page_renders_in_kazakh_by_default(client, content, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="kk">' in html
    assert 'href="#main"' in html  # skip link
    assert '<main id="main"' in html
    assert 'action="/i18n/setlang/"' in html
    assert "csrfmiddlewaretoken" in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize(("name", "kwargs"), PUBLIC_PAGES)
def test_public_page_renders_after_switch(client, content, name, kwargs, language):
    response = switch_language(client, language)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()


@pytest.mark.django_db
def test_program_names_follow_the_language(client, program):
    url = reverse("portal:programs")
    assert "Өнертану" in client.get(url).content.decode()
    switch_language(client, "ru")
    html = client.get(url).content.decode()
    assert "Искусствоведение" in html
    assert "Өнертану" not in html
    assert "Результат ЕНТ не ниже 75 баллов" in html
    switch_language(client, "en")
    html = client.get(reverse("portal:program_detail", args=["6B02101"])).content.decode()
    assert "Art history" in html
    assert "History of art" in html
    assert "<li>Curate an exhibition</li>" in html  # learning outcomes rendered from Markdown


@pytest.mark.django_db
def test_programs_catalogue_shows_format_and_criteria(client, program):
    html = client.get(reverse("portal:programs")).content.decode()
    assert "6B02101" in html
    assert "ҰБТ нәтижесі 75 балдан кем емес" in html
    assert "27" in html and "2026" in html  # Academic Council approval date


@pytest.mark.django_db
def test_programs_filter_by_delivery_format_and_level(client, program):
    ProgramFactory(code="6B02102", name_kk="Кескіндеме", delivery_format="blended")
    ProgramFactory(code="7M02101", name_kk="Магистратура", level="master")
    url = reverse("portal:programs")
    html = client.get(url, {"delivery_format": "blended"}).content.decode()
    assert "Кескіндеме" in html and "Өнертану" not in html
    html = client.get(url, {"level": "master"}).content.decode()
    assert "Магистратура" in html and "Өнертану" not in html and "Кескіндеме" not in html


@pytest.mark.django_db
def test_programs_filter_with_bad_value_shows_all_and_an_error(client, program):
    response = client.get(reverse("portal:programs"), {"level": "astronaut"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Өнертану" in html
    assert 'class="errorlist' in html


@pytest.mark.django_db
def test_programs_filter_over_htmx_returns_only_the_list(client, program):
    response = client.get(reverse("portal:programs"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="program-list"' in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.django_db
def test_unpublished_program_is_not_public(client):
    ProgramFactory(code="HIDDEN1", is_published=False)
    assert client.get(reverse("portal:program_detail", args=["HIDDEN1"])).status_code == 404
    html = client.get(reverse("portal:programs")).content.decode()
    assert "HIDDEN1" not in html


@pytest.mark.django_db
def test_program_detail_lists_disciplines_with_credits(client, program):
    html = client.get(reverse("portal:program_detail", args=["6B02101"])).content.decode()
    assert "ART101" in html
    assert "Өнер тарихы" in html
    assert ">5<" in html  # credits
    assert "2026" in html  # criteria approval date


@pytest.mark.django_db
def test_unknown_program_is_404_in_portal_layout(client):
    response = client.get(reverse("portal:program_detail", args=["NOPE"]))
    assert response.status_code == 404
    assert '<main id="main"' in response.content.decode()


@pytest.mark.django_db
def test_calendar_shows_current_year_and_other_year_on_request(client, calendar_year):
    html = client.get(reverse("portal:calendar")).content.decode()
    assert "2026-2027" in html
    assert "Қысқы емтихан сессиясы" in html
    assert "Winter holidays of the old year" not in html
    html = client.get(reverse("portal:calendar"), {"year": "2025-2026"}).content.decode()
    assert "Winter holidays of the old year" in html
    assert "Қысқы емтихан сессиясы" not in html


@pytest.mark.django_db
def test_calendar_unknown_year_is_a_clear_404(client, calendar_year):
    response = client.get(reverse("portal:calendar"), {"year": "1999-2000"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "1999-2000" in html
    assert 'role="alert"' in html


@pytest.mark.django_db
def test_document_detail_renders_markdown(client, document):
    switch_language(client, "en")
    html = client.get(reverse("portal:document_detail", args=["dlt-regulation"])).content.decode()
    assert "<h2>General provisions</h2>" in html
    assert "<strong>regulation</strong>" in html


@pytest.mark.django_db
def test_document_file_is_offered_for_download(client, document):
    from django.core.files.base import ContentFile

    document.file.save("regulation.pdf", ContentFile(b"%PDF-1.4"), save=True)
    html = client.get(reverse("portal:document_detail", args=["dlt-regulation"])).content.decode()
    assert document.file.url in html
    assert "download" in html


@pytest.mark.django_db
def test_unpublished_document_is_404(client, document):
    document.is_published = False
    document.save()
    assert client.get(reverse("portal:document_detail", args=["dlt-regulation"])).status_code == 404
    assert "dlt-regulation" not in client.get(reverse("portal:documents")).content.decode()


@pytest.mark.django_db
def test_guide_covers_what_a_new_student_needs(client):
    html = client.get(reverse("portal:guide")).content.decode()
    for anchor in ("sign-in", "photo", "courses", "exams", "weak-connection", "contacts"):
        assert f'id="{anchor}"' in html


@pytest.mark.django_db
def test_header_offers_login_to_visitors_and_logout_post_to_users(client):
    from qashyq.accounts.tests.factories import UserFactory

    html = client.get("/").content.decode()
    assert reverse("account_login") in html
    client.force_login(UserFactory(first_name="Дана", last_name="Әлиева"))
    html = client.get("/").content.decode()
    assert "Әлиева Дана" in html
    assert f'<form method="post" action="{reverse("account_logout")}">' in html
    assert reverse("portal:dashboard") in html


@pytest.mark.django_db
def test_programs_list_query_count_is_bounded(client, django_assert_max_num_queries):
    for _n in range(15):
        DisciplineFactory().programs.add(ProgramFactory())
    with django_assert_max_num_queries(4):
        response = client.get(reverse("portal:programs"))
    assert response.content.decode().count('class="card"') == 15


def test_login_page_uses_portal_layout(client, db):
    html = client.get(reverse("account_login")).content.decode()
    assert '<main id="main"' in html
    assert '<label for="id_login">' in html
    assert '<label for="id_password">' in html
    assert reverse("account_reset_password") in html


def test_password_reset_page_uses_portal_layout(client, db):
    html = client.get(reverse("account_reset_password")).content.decode()
    assert '<main id="main"' in html
    assert 'action="/i18n/setlang/"' in html


def test_unknown_address_gets_the_portal_404_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<main id="main"' in html
    assert reverse("portal:programs") in html


def test_server_error_page_renders_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "<h1>" in html and 'href="/"' in html


@pytest.mark.django_db
def test_signed_in_account_pages_use_portal_layout(client, settings):
    from qashyq.accounts.tests.factories import UserFactory

    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    client.force_login(UserFactory(iin=""))
    names = ("account_logout", "account_change_password", "account_reauthenticate", "mfa_index")
    for name in names:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert '<main id="main"' in html, name
        assert "csrfmiddlewaretoken" in html, name


@pytest.mark.django_db
def test_totp_setup_page_explains_and_labels_the_code_field(client, settings):
    from qashyq.accounts.tests.factories import UserFactory

    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    user = UserFactory(iin="")
    client.force_login(user)
    # allauth asks for the password again before a second factor is added.
    client.post(reverse("account_reauthenticate"), {"password": "pass-Word-123"})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<main id="main"' in html
    assert '<label for="id_code">' in html
    assert 'autocomplete="one-time-code"' in html
    assert "data:image/svg+xml" in html  # the QR code, inline: no extra request
