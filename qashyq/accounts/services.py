"""Every write to accounts. Each function checks its policy and runs in one transaction.

Bad input raises ``ValidationFailed`` with a translated message per field in ``details`` before
anything is written, so a refused call leaves the database as it was.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qashyq.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record

from . import policies
from .iin import iin_error
from .models import ApiToken, ParentLink, RoleAssignment, User
from .roles import Role, ScopeType
from .selectors import forget_roles

TOKEN_PREFIX = "qsh_"
USERNAME_MAX_LENGTH = 150


def _same_text_ignoring_case(field: str, value: str) -> Q:
    """``field__iexact`` that also folds the case of Kazakh and Russian letters on SQLite, whose
    LIKE and lower() fold ASCII only (PostgreSQL's UPPER() folds every letter)."""
    if connection.vendor == "sqlite" and not value.isascii():
        return Q(**{f"{field}__iregex": f"^{re.escape(value)}$"})
    return Q(**{f"{field}__iexact": value})


def _clean_user_fields(
    *, username: str, email: str, iin: str, is_student: bool, preferred_language: str
) -> dict:
    errors: dict[str, str] = {}
    username = (username or "").strip()
    email = (email or "").strip().lower()
    iin = (iin or "").strip()
    if not username:
        errors["username"] = _("A username is required.")
    elif len(username) > USERNAME_MAX_LENGTH:
        errors["username"] = _("A username has at most %(max)s characters.") % {
            "max": USERNAME_MAX_LENGTH
        }
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            errors["username"] = _(
                "A username may contain only letters, digits and the characters @ . + - _"
            )
        else:
            if User.objects.filter(_same_text_ignoring_case("username", username)).exists():
                errors["username"] = _("The username “%(username)s” is already taken.") % {
                    "username": username
                }
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("“%(email)s” is not a valid e-mail address.") % {"email": email}
        else:
            if User.objects.filter(email__iexact=email).exists():
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
    if preferred_language not in dict(settings.LANGUAGES):
        errors["preferred_language"] = _("Unknown language.")
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
    fields = _clean_user_fields(
        username=username,
        email=email,
        iin=iin,
        is_student=is_student,
        preferred_language=preferred_language,
    )
    user = User(
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        middle_name=(middle_name or "").strip(),
        preferred_language=preferred_language,
        is_demo=is_demo,
        **fields,
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed(details={"password": " ".join(exc.messages)}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent insert won the race
        raise Conflict(_("A user with this username, e-mail or IIN already exists.")) from exc
    return user


def user_set_language(*, user, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(_("Unknown language."))
    if getattr(user, "is_authenticated", False) and user.preferred_language != language:
        User.objects.filter(pk=user.pk).update(preferred_language=language)
        user.preferred_language = language


def _role_value(role: str, scope_type: str, scope_id: int | None) -> dict:
    return {"role": str(role), "scope_type": str(scope_type), "scope_id": scope_id}


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
    """Grant ``role`` to ``user`` within a scope; the audit log records who, when and why.

    Granting a role the user already holds in that scope changes nothing and logs nothing.
    """
    if check and not policies.can_manage_roles(actor):
        raise PermissionDenied()
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."), details={"role": _("Unknown role.")})
    if scope_type not in ScopeType.values:
        raise ValidationFailed(_("Unknown scope."), details={"scope_type": _("Unknown scope.")})
    if (scope_type == ScopeType.SITE) != (scope_id is None):
        message = _("A site-wide role has no scope id; any other scope needs one.")
        raise ValidationFailed(message, details={"scope_id": message})
    if scope_id is not None:
        try:
            scope_id = int(scope_id)
        except (TypeError, ValueError):
            message = _("The scope id must be a number.")
            raise ValidationFailed(message, details={"scope_id": message}) from None
    try:
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
                    old=None,
                    new=_role_value(role, scope_type, scope_id),
                    reason=reason,
                )
    finally:
        forget_roles(user)
    return assignment


def _is_last_admin(assignment: RoleAssignment) -> bool:
    if assignment.role != Role.ADMIN or assignment.scope_type != ScopeType.SITE:
        return False
    return (
        not RoleAssignment.objects.filter(
            role=Role.ADMIN, scope_type=ScopeType.SITE, user__is_active=True
        )
        .exclude(pk=assignment.pk)
        .exists()
    )


def role_revoke(*, actor, assignment: RoleAssignment, reason: str = "") -> None:
    """Take a role away; the audit log records the old value, who, when and why.

    The last active site-wide system administrator cannot lose the role (nobody could grant it
    back).
    """
    if not policies.can_manage_roles(actor):
        raise PermissionDenied()
    user = assignment.user
    try:
        with transaction.atomic():
            current = RoleAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
            if current is None:
                raise NotFound(_("This role has already been taken away."))
            if _is_last_admin(current):
                raise ValidationFailed(
                    _(
                        "This is the last system administrator; "
                        "grant the role to someone else first."
                    )
                )
            old = _role_value(current.role, current.scope_type, current.scope_id)
            current.delete()
            audit_record(
                actor=actor, action="role.revoke", obj=user, old=old, new=None, reason=reason
            )
    finally:
        forget_roles(user)


def parent_link(*, actor, parent: User, student: User, relation: str = "", check: bool = True):
    """Link a parent or legal representative to a student (read-only access to the student's
    records) and give them the parent role."""
    if check and not policies.can_manage_users(actor):
        raise PermissionDenied()
    if parent.pk == student.pk:
        raise ValidationFailed(_("A user cannot be their own parent."))
    if not RoleAssignment.objects.filter(user_id=student.pk, role=Role.STUDENT).exists():
        raise ValidationFailed(
            _("%(name)s is not a student; only students are linked to parents.")
            % {"name": student.full_name}
        )
    relation = (relation or "").strip()[:64]
    try:
        with transaction.atomic():
            link, created = ParentLink.objects.get_or_create(
                parent=parent, student=student, defaults={"relation": relation}
            )
            if created:
                audit_record(
                    actor=actor,
                    action="parent.link",
                    obj=parent,
                    new={"student": student.pk, "relation": relation},
                )
            role_assign(actor=actor, user=parent, role=Role.PARENT, check=False)
    finally:
        forget_roles(parent)
    return link


def parent_unlink(*, actor, link: ParentLink, reason: str = "") -> None:
    """Remove a parent link; the parent role goes when the last child is unlinked."""
    if not policies.can_manage_users(actor):
        raise PermissionDenied()
    parent = link.parent
    try:
        with transaction.atomic():
            deleted, _rows = ParentLink.objects.filter(pk=link.pk).delete()
            if not deleted:
                raise NotFound()
            audit_record(
                actor=actor,
                action="parent.unlink",
                obj=parent,
                old={"student": link.student_id, "relation": link.relation},
                reason=reason,
            )
            if not ParentLink.objects.filter(parent=parent).exists():
                for assignment in RoleAssignment.objects.filter(user=parent, role=Role.PARENT):
                    old = _role_value(assignment.role, assignment.scope_type, assignment.scope_id)
                    assignment.delete()
                    audit_record(
                        actor=actor, action="role.revoke", obj=parent, old=old, reason=reason
                    )
    finally:
        forget_roles(parent)


def api_token_create(*, actor, owner: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token and return it with the plain key, which is never stored."""
    if not policies.can_create_api_token(actor, owner):
        raise PermissionDenied()
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=owner,
            name=(name or "").strip()[:100],
            prefix=key[:12],
            key_hash=ApiToken.hash_key(key),
        )
        audit_record(
            actor=actor, action="api_token.create", obj=token, new={"prefix": token.prefix}
        )
    return token, key


def api_token_revoke(*, actor, token: ApiToken) -> None:
    if not policies.can_create_api_token(actor, token.user):
        raise PermissionDenied()
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit_record(actor=actor, action="api_token.revoke", obj=token)


def api_token_touch(*, token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


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
