"""Every write to accounts. Each function checks its policy and runs in one transaction."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record

from . import policies
from .iin import iin_error
from .models import ApiToken, ParentLink, RoleAssignment, User
from .roles import Role, ScopeType
from .selectors import forget_roles

TOKEN_PREFIX = "qsh_"


def _clean_user_fields(*, username: str, email: str, iin: str, is_student: bool) -> dict:
    errors: dict[str, str] = {}
    username = (username or "").strip()
    email = (email or "").strip().lower()
    iin = (iin or "").strip()
    if not username:
        errors["username"] = _("A username is required.")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("The username “%(username)s” is already taken.") % {
            "username": username
        }
    if email and User.objects.filter(email__iexact=email).exists():
        errors["email"] = _("The e-mail %(email)s already belongs to another user.") % {
            "email": email
        }
    if is_student and not iin:
        errors["iin"] = _("An IIN is required for a student.")
    elif iin:
        reason = iin_error(iin)
        if reason:
            errors["iin"] = reason
        elif User.objects.filter(iin=iin).exists():
            errors["iin"] = _("The IIN %(iin)s already belongs to another user.") % {"iin": iin}
    if errors:
        raise ValidationFailed(details=errors)
    return {"username": username, "email": email, "iin": iin}


def user_create(
    *,
    actor,
    username: str,
    first_name: str = "",
    last_name: str = "",
    middle_name: str = "",
    email: str = "",
    iin: str = "",
    password: str | None = None,
    preferred_language: str = "kk",
    is_student: bool = False,
    is_demo: bool = False,
    check: bool = True,
) -> User:
    """Create a user. ``check=False`` only for trusted callers (seed_demo, other services that
    already checked their own policy)."""
    if check and not policies.can_manage_users(actor):
        raise PermissionDenied()
    fields = _clean_user_fields(username=username, email=email, iin=iin, is_student=is_student)
    if password:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise ValidationFailed(details={"password": " ".join(exc.messages)}) from exc
    with transaction.atomic():
        user = User(
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            middle_name=middle_name.strip(),
            preferred_language=preferred_language,
            is_demo=is_demo,
            **fields,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        try:
            user.save()
        except IntegrityError as exc:  # a concurrent insert won the race
            raise Conflict(_("A user with this username, e-mail or IIN already exists.")) from exc
    return user


def user_set_language(*, user, language: str) -> None:
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(_("Unknown language."))
    if user.is_authenticated and user.preferred_language != language:
        User.objects.filter(pk=user.pk).update(preferred_language=language)
        user.preferred_language = language


def role_assign(
    *,
    actor,
    user: User,
    role: str,
    scope_type: str = ScopeType.SITE,
    scope_id: int | None = None,
    reason: str = "",
    check: bool = True,
) -> RoleAssignment:
    if check and not policies.can_manage_roles(actor):
        raise PermissionDenied()
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."), details={"role": role})
    if scope_type not in ScopeType.values:
        raise ValidationFailed(_("Unknown scope."), details={"scope_type": scope_type})
    if (scope_type == ScopeType.SITE) != (scope_id is None):
        raise ValidationFailed(_("A site-wide role has no scope id; any other scope needs one."))
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user,
            role=role,
            scope_type=scope_type,
            scope_id=scope_id,
            defaults={"granted_by": actor if getattr(actor, "pk", None) else None},
        )
        if created:
            audit_record(
                actor=actor,
                action="role.assign",
                obj=user,
                new={"role": role, "scope_type": scope_type, "scope_id": scope_id},
                reason=reason,
            )
    forget_roles(user)
    return assignment


def role_revoke(*, actor, assignment: RoleAssignment, reason: str = "") -> None:
    if not policies.can_manage_roles(actor):
        raise PermissionDenied()
    with transaction.atomic():
        old = {
            "role": assignment.role,
            "scope_type": assignment.scope_type,
            "scope_id": assignment.scope_id,
        }
        user = assignment.user
        assignment.delete()
        audit_record(actor=actor, action="role.revoke", obj=user, old=old, reason=reason)
    forget_roles(user)


def parent_link(*, actor, parent: User, student: User, relation: str = "", check: bool = True):
    if check and not policies.can_manage_users(actor):
        raise PermissionDenied()
    if parent.pk == student.pk:
        raise ValidationFailed(_("A user cannot be their own parent."))
    with transaction.atomic():
        link, _created = ParentLink.objects.get_or_create(
            parent=parent, student=student, defaults={"relation": relation}
        )
        role_assign(actor=actor, user=parent, role=Role.PARENT, check=False)
    return link


def api_token_create(*, actor, owner: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token and return it with the plain key, which is never stored."""
    if not policies.can_create_api_token(actor, owner):
        raise PermissionDenied()
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=owner, name=name, prefix=key[:12], key_hash=ApiToken.hash_key(key)
    )
    return token, key


def api_token_revoke(*, actor, token: ApiToken) -> None:
    if not policies.can_create_api_token(actor, token.user):
        raise PermissionDenied()
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_touch(*, token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MIN_SIDE = 200
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


def _check_photo(photo) -> None:
    from PIL import Image, UnidentifiedImageError

    if photo.size > PHOTO_MAX_BYTES:
        raise ValidationFailed(details={"photo": _("The photo must be at most 5 MB.")})
    try:
        photo.seek(0)
        with Image.open(photo) as image:
            image.verify()
            image_format, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationFailed(
            details={"photo": _("The file is not a picture we can read (use JPEG or PNG).")}
        ) from exc
    if image_format not in PHOTO_FORMATS:
        raise ValidationFailed(details={"photo": _("Use a JPEG, PNG or WebP picture.")})
    if min(width, height) < PHOTO_MIN_SIDE:
        raise ValidationFailed(
            details={
                "photo": _("The photo is too small: at least %(px)s×%(px)s pixels are needed.")
                % {"px": PHOTO_MIN_SIDE}
            }
        )
    photo.seek(0)


def profile_update(
    *, actor, user: User, preferred_language: str, phone: str = "", photo=None
) -> User:
    """The user's own settings: language, phone and the profile photo used by proctoring.

    Names, IIN and e-mail are official records kept by the registrar office.
    """
    from django.conf import settings

    if not getattr(actor, "is_authenticated", False) or actor.pk != user.pk:
        raise PermissionDenied()
    errors: dict[str, str] = {}
    if preferred_language not in dict(settings.LANGUAGES):
        errors["preferred_language"] = _("Unknown language.")
    phone = (phone or "").strip()
    if phone and not all(c.isdigit() or c in "+-() " for c in phone):
        errors["phone"] = _("A phone number has only digits, spaces, +, - and brackets.")
    if errors:
        raise ValidationFailed(details=errors)
    if photo is not None:
        _check_photo(photo)
    with transaction.atomic():
        user.preferred_language = preferred_language
        user.phone = phone
        fields = ["preferred_language", "phone"]
        old_photo = user.photo.name if user.photo else ""
        if photo is not None:
            user.photo.save(photo.name, photo, save=False)
            fields.append("photo")
        user.save(update_fields=fields)
        if photo is not None:
            audit_record(
                actor=actor,
                action="profile.photo",
                obj=user,
                old=old_photo or None,
                new=user.photo.name,
            )
    return user
