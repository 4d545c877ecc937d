import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from qashyq.accounts.models import ApiToken, User
from qashyq.accounts.tests.factories import UserFactory
from qashyq.core.models import AuditLogEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _png(size=(400, 400)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 160, 120)).save(buffer, format="PNG")
    return SimpleUploadedFile("face.png", buffer.getvalue(), content_type="image/png")


def test_student_saves_language_phone_and_photo(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/profile/",
        {"preferred_language": "ru", "phone": "+7 701 123 45 67", "photo": _png()},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == "ru"
    assert user.phone == "+7 701 123 45 67"
    assert user.photo.name.startswith("profile-photos/")
    assert response.cookies["qashyq_language"].value == "ru"
    assert AuditLogEntry.objects.filter(action="profile.photo", object_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (SimpleUploadedFile("x.png", b"not an image", content_type="image/png"), "not a picture"),
        (None, "too small"),
    ],
)
def test_a_bad_photo_is_refused_and_nothing_changes(client, upload, reason):
    user = UserFactory(phone="111")
    client.force_login(user)
    upload = upload or _png((50, 50))
    response = client.post(
        "/profile/", {"preferred_language": "en", "phone": "222", "photo": upload}
    )
    assert response.status_code == 400
    assert reason in response.content.decode()
    user.refresh_from_db()
    assert (user.preferred_language, user.phone, user.photo.name) == ("kk", "111", "")


def test_bad_phone_is_refused(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/profile/", {"preferred_language": "kk", "phone": "call me"})
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).phone == ""


def test_anonymous_is_sent_to_login(client):
    response = client.get("/profile/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_token_is_shown_once_and_can_be_revoked(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/profile/tokens/", {"name": "sync"})
    key = response.context["new_key"]
    assert key.startswith("qsh_") and key in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.key_hash != key and key not in token.key_hash
    listing = client.get("/profile/tokens/").content.decode()
    assert key not in listing and token.prefix in listing
    client.post(f"/profile/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_another_users_token(client):
    owner, other = UserFactory(), UserFactory()
    token = ApiToken.objects.create(user=owner, prefix="qsh_x", key_hash="h" * 64)
    client.force_login(other)
    response = client.post(f"/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_photo_is_served_to_its_owner_and_the_registrar_only(client, settings):
    from qashyq.accounts.tests.factories import user_with_role

    settings.QASHYQ_ENFORCE_STAFF_MFA = False  # the registrar's TOTP is tested elsewhere
    owner = UserFactory()
    client.force_login(owner)
    client.post("/profile/", {"preferred_language": "kk", "phone": "", "photo": _png()})
    owner.refresh_from_db()
    page = client.get("/profile/").content.decode()
    assert f"/people/{owner.pk}/photo/" in page and "/media/" not in page
    response = client.get(f"/people/{owner.pk}/photo/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")

    client.force_login(UserFactory())  # a classmate
    assert client.get(f"/people/{owner.pk}/photo/").status_code == 403
    client.force_login(user_with_role("registrar"))
    assert client.get(f"/people/{owner.pk}/photo/").status_code == 200
