"""Open courses and certificates: the public catalogue, the course page, enrolment (also for
people without an account), materials, the certificate and its public verification page.
Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qashyq.core.errors import NotFound, PermissionDenied, ValidationFailed
from qashyq.core.streaming import ranged_file_response

from . import certificates, forms, open_courses, policies, progress, selectors
from .models import Certificate, Material

FILE_FIELDS = ("file", "captions")
REGISTER_FIELDS = ("last_name", "first_name", "email")


def catalogue(request):
    courses = open_courses.published_courses()
    enrolled = open_courses.enrolled_course_ids(request.user)
    return render(
        request,
        "courses/open/catalogue.html",
        {
            "courses": courses,
            "enrolled": enrolled,
            "can_manage": policies.can_manage_open_courses(request.user),
        },
    )


def _weeks(version, *, show_unreleased: bool):
    today = timezone.localdate()
    weeks: dict[int, list] = {}
    for topic in version.topics.all():
        materials = selectors.visible_materials(topic, on=today, show_unreleased=show_unreleased)
        weeks.setdefault(topic.week, []).append((topic, materials))
    return sorted(weeks.items())


def _course_context(request, course, *, register_errors=None, register_values=None) -> dict:
    user = request.user
    today = timezone.localdate()
    enrolled = policies.is_open_learner(user, course)
    can_edit = policies.can_edit_open_course_content(user, course)
    context: dict = {
        "course": course,
        "enrolled": enrolled,
        "enrolment_open": policies.open_course_enrolment_is_open(course, today=today),
        "is_manager": policies.can_manage_open_course(user, course),
        "register_errors": register_errors or {},
        "register_values": register_values or {},
    }
    if not policies.can_view_open_course_materials(user, course, enrolled=enrolled):
        return context
    version = open_courses.approved_version(course)
    context["version"] = version
    if version is None:
        return context
    done = progress.completed_ids(user, version.pk) if enrolled else set()
    progress.annotate_materials(version, done, see_all=can_edit)
    selectors.annotate_embeds(version)
    context["weeks"] = _weeks(version, show_unreleased=can_edit)
    if enrolled:
        reached = progress.progress_from_contents(version, done, on=today)
        context["progress"] = reached
        context["certificate"] = certificates.valid_certificate(user, course)
        context["eligible"] = course.certificate_enabled and open_courses.reaches_threshold(
            course, reached
        )
    return context


def course_page(request, slug: str):
    course = open_courses.visible_course(request.user, slug)
    return render(request, "courses/open/course.html", _course_context(request, course))


@login_required
@require_POST
def enrol(request, slug: str):
    course = open_courses.visible_course(request.user, slug)
    try:
        open_courses.open_course_enrol(actor=request.user, course=course)
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("You are enrolled. Welcome to the course!"))
    return redirect("courses:open_course", course.slug)


@login_required
@require_POST
def leave(request, slug: str):
    course = open_courses.visible_course(request.user, slug)
    try:
        open_courses.open_course_leave(actor=request.user, course=course)
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("You have left the course."))
    return redirect("courses:open_course", course.slug)


@require_POST
def register(request, slug: str):
    """Create an account for someone without one, sign them in and enrol them."""
    course = open_courses.visible_course(request.user, slug)
    if request.user.is_authenticated:
        return enrol(request, slug)
    values = {name: request.POST.get(name, "") for name in REGISTER_FIELDS}
    try:
        user = open_courses.learner_register_and_enrol(
            course=course,
            password1=request.POST.get("password1", ""),
            password2=request.POST.get("password2", ""),
            language=translation.get_language() or "kk",
            **values,
        )
    except ValidationFailed as exc:
        errors = dict(exc.details or {}) if isinstance(exc.details, dict) else {}
        if not errors:
            messages.error(request, str(exc.message))
        context = _course_context(request, course, register_errors=errors, register_values=values)
        return render(request, "courses/open/course.html", context, status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request,
        _("Your account is ready and you are enrolled. Sign in next time with your e-mail."),
    )
    return redirect("courses:open_course", course.slug)


def _course_material(request, slug: str, material_pk: int):
    course = open_courses.visible_course(request.user, slug)
    if not policies.can_view_open_course_materials(request.user, course):
        raise PermissionDenied(_("This course's materials are open to its learners."))
    return course, open_courses.material_of_course(course, material_pk)


@login_required
@require_POST
def material_completion(request, slug: str, material_pk: int):
    course, material = _course_material(request, slug, material_pk)
    try:
        if request.POST.get("done") == "0":
            open_courses.open_material_unmark_complete(
                actor=request.user, course=course, material=material
            )
            messages.success(request, _("The mark was taken back."))
        else:
            open_courses.open_material_mark_complete(
                actor=request.user, course=course, material=material
            )
            messages.success(request, _("Marked as done."))
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
    return redirect(reverse("courses:open_course", args=[course.slug]) + f"#material-{material.pk}")


def _serve(request, material: Material, field: str):
    stored = getattr(material, field) if field in FILE_FIELDS else None
    if not stored:
        raise NotFound(_("This material has no such file."))
    if not stored.storage.exists(stored.name):
        raise NotFound(_("The file is missing from the storage."))
    if field == "captions" and selectors.stored_extension(stored.name) == "srt":
        with stored.storage.open(stored.name, "rb") as handle:
            data = handle.read(selectors.MAX_CAPTIONS_BYTES)
        response = HttpResponse(
            selectors.srt_to_webvtt(data), content_type="text/vtt; charset=utf-8"
        )
        response["X-Content-Type-Options"] = "nosniff"
        patch_cache_control(response, private=True)
        return response
    content_type = selectors.content_type_of(stored.name)
    return ranged_file_response(
        request,
        stored.name,
        content_type=content_type,
        filename=selectors.download_name(material, stored.name, field=field),
        as_attachment=field == "file" and not selectors.is_media(content_type),
        storage=stored.storage,
    )


@login_required
def material_file(request, slug: str, material_pk: int, field: str):
    course, material = _course_material(request, slug, material_pk)
    if not policies.can_edit_open_course_content(request.user, course):
        if not progress.is_released(material, timezone.localdate()):
            raise PermissionDenied(_("This material is not available yet."))
        if material.requires_id and material.requires_id not in progress.completed_ids(
            request.user, material.topic.version_id
        ):
            raise PermissionDenied(
                _("Complete “%(title)s” first.") % {"title": material.requires.title}
            )
    return _serve(request, material, field)


# --- certificates --------------------------------------------------------------------------------


@login_required
def certificate_page(request, slug: str):
    """GET: the learner's certificate (or how far they are from it); POST: ask for it."""
    course = open_courses.visible_course(request.user, slug)
    if request.method == "POST":
        try:
            certificates.certificate_issue(actor=request.user, course=course, user=request.user)
        except ValidationFailed as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your certificate is ready."))
        return redirect("courses:open_certificate", course.slug)
    certificate = certificates.valid_certificate(request.user, course)
    if certificate is None and not policies.is_open_learner(request.user, course):
        raise PermissionDenied(_("Certificates are issued to the course's learners."))
    reached = open_courses.learner_progress(request.user, course)
    return render(
        request,
        "courses/open/certificate.html",
        {
            "course": course,
            "certificate": certificate,
            "progress": reached,
            "eligible": course.certificate_enabled
            and open_courses.reaches_threshold(course, reached),
            "languages": (("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")),
        },
    )


@login_required
def certificate_pdf(request, slug: str):
    course = open_courses.visible_course(request.user, slug)
    certificate = certificates.valid_certificate(request.user, course)
    if certificate is None:
        raise NotFound(_("You have no certificate of this course yet."))
    language = request.GET.get("lang") or translation.get_language() or "kk"
    verify_url = request.build_absolute_uri(
        reverse("courses:certificate_verify_code", args=[certificate.code])
    )
    pdf = certificates.certificate_pdf(certificate, language=language, verify_url=verify_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    patch_cache_control(response, private=True, no_store=True)
    return response


def verify_form(request):
    """Enter a code; a well-formed code goes to its verification page."""
    text = request.GET.get("code", "")
    if text:
        code = certificates.normalise_code(text)
        if code is not None:
            return redirect("courses:certificate_verify_code", code)
        return render(
            request,
            "courses/open/verify.html",
            {
                "code": text,
                "error": _("This is not a certificate code: it looks like QSQ-ABCD-2345."),
            },
            status=400,
        )
    return render(request, "courses/open/verify.html", {"code": ""})


def verify_code(request, code: str):
    """Public: valid, revoked or unknown, with only what the certificate itself shows."""
    certificate = certificates.certificate_by_code(code)
    context = {"certificate": certificate, "code": code}
    if certificate is not None:
        context["can_revoke"] = policies.can_revoke_certificate(request.user, certificate)
    response = render(
        request, "courses/open/verify.html", context, status=200 if certificate else 404
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def certificate_revoke(request, code: str):
    certificate = certificates.certificate_by_code(code)
    if certificate is None:
        raise NotFound(_("There is no such certificate."))
    try:
        certificates.certificate_revoke(
            actor=request.user, certificate=certificate, reason=request.POST.get("reason", "")
        )
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The certificate was revoked."))
    return redirect("courses:certificate_verify_code", certificate.code)


# --- managing open courses (methodologists and administrators, without the Django admin) ---------


def _require_manager(user) -> None:
    if not policies.can_manage_open_courses(user):
        raise PermissionDenied(_("Open courses are managed by methodologists and administrators."))


@login_required
def manage_list(request):
    """Every open course the user manages, published or not."""
    _require_manager(request.user)
    return render(
        request,
        "courses/open/manage_list.html",
        {"courses": open_courses.managed_courses(request.user)},
    )


def _show_refusal(form, exc: ValidationFailed) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    for name, message in details.items():
        form.add_error(name if name in form.fields else None, message)
    if not details:
        form.add_error(None, str(exc.message))


def _save_course(request, course=None):
    """GET: the form; POST: parse, call the service, redirect, or show the form with the
    refusals (400)."""
    disciplines = open_courses.course_disciplines(
        request.user, current=course.discipline if course else None
    )
    if request.method != "POST":
        initial = None
        if course is not None:
            initial = {name: getattr(course, name) for name in open_courses.COURSE_FIELDS}
            initial["discipline"] = course.discipline_id
        form = forms.OpenCourseForm(initial=initial, disciplines=disciplines)
        return render(request, "courses/open/manage_form.html", {"form": form, "course": course})
    form = forms.OpenCourseForm(request.POST, disciplines=disciplines)
    if form.is_valid():
        data = dict(form.cleaned_data)
        discipline = data.pop("discipline")
        try:
            if course is None:
                course = open_courses.open_course_create(
                    actor=request.user, discipline=discipline, **data
                )
                messages.success(request, _("The open course was created."))
            else:
                course = open_courses.open_course_update(
                    actor=request.user, course=course, discipline=discipline, **data
                )
                messages.success(request, _("The open course was saved."))
        except ValidationFailed as exc:
            _show_refusal(form, exc)
        else:
            return redirect("courses:open_manage_edit", course.pk)
    return render(
        request,
        "courses/open/manage_form.html",
        {"form": form, "course": course},
        status=400,
    )


@login_required
def manage_new(request):
    _require_manager(request.user)
    return _save_course(request)


@login_required
def manage_edit(request, pk: int):
    course = open_courses.managed_course(request.user, pk)
    return _save_course(request, course)


@login_required
def manage_enrolments(request, pk: int):
    """The course's learners with their progress and certificates (bounded queries)."""
    course = open_courses.managed_course(request.user, pk)
    return render(
        request,
        "courses/open/manage_enrolments.html",
        {"course": course, "rows": open_courses.enrolments_with_progress(course)},
    )


@login_required
@require_POST
def manage_revoke(request, pk: int, certificate_pk: int):
    """Revoke a certificate of the course from its enrolments page (the service checks the
    policy, asks for the reason and writes the audit log)."""
    course = open_courses.managed_course(request.user, pk)
    certificate = Certificate.objects.filter(pk=certificate_pk, course=course).first()
    if certificate is None:
        raise NotFound(_("There is no such certificate."))
    try:
        certificates.certificate_revoke(
            actor=request.user, certificate=certificate, reason=request.POST.get("reason", "")
        )
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The certificate was revoked."))
    return redirect("courses:open_manage_enrolments", course.pk)
