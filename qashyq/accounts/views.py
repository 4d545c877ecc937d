from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qashyq.core.errors import PermissionDenied, ValidationFailed
from qashyq.core.streaming import ranged_file_response

from . import policies, selectors, services
from .models import ApiToken, User


@login_required
def profile(request):
    user = request.user
    errors: dict = {}
    if request.method == "POST":
        try:
            services.profile_update(
                actor=user,
                user=user,
                preferred_language=request.POST.get("preferred_language", ""),
                phone=request.POST.get("phone", ""),
                photo=request.FILES.get("photo"),
            )
        except ValidationFailed as exc:
            errors = exc.details or {"__all__": str(exc.message)}
        else:
            messages.success(request, _("Your profile has been saved."))
            response = redirect("accounts:profile")
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.preferred_language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
            )
            return response
        user.refresh_from_db()
    return render(
        request,
        "accounts/profile.html",
        {
            "profile_user": user,
            "errors": errors,
            "roles": selectors.role_labels(user),
            "languages": settings.LANGUAGES,
        },
        status=400 if errors else 200,
    )


PHOTO_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


@login_required
def photo(request, pk: int):
    """A profile photo, only for those who may see the person (never a public media URL)."""
    owner = get_object_or_404(User, pk=pk)
    if not policies.can_view_user(request.user, owner):
        raise PermissionDenied(_("Only the person, their parent and the registrar office see it."))
    if not owner.photo:
        raise Http404
    suffix = "." + owner.photo.name.rsplit(".", 1)[-1].lower()
    return ranged_file_response(
        request, owner.photo.name, content_type=PHOTO_TYPES.get(suffix, "application/octet-stream")
    )


@login_required
def tokens(request):
    new_key = None
    if request.method == "POST":
        _token, new_key = services.api_token_create(
            actor=request.user, owner=request.user, name=request.POST.get("name", "")[:100]
        )
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": selectors.tokens_of(request.user), "new_key": new_key},
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:tokens")
