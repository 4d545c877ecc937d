import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

OIDC = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "university",
                "name": "KazArts SSO",
                "client_id": "qashyq",
                "secret": "s3cret",
                "settings": {"server_url": "https://sso.example.kz/realms/arts"},
            }
        ],
    }
}


def test_login_page_offers_the_universitys_sso_when_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = OIDC
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with KazArts SSO" in page
    assert 'action="/accounts/oidc/university/login/' in page


def test_no_sso_button_without_configuration(client):
    assert "/accounts/oidc/" not in client.get("/accounts/login/").content.decode()
