"""Course materials, the EUMK editing page and the review queue. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qashyq.core.errors import NotFound, PermissionDenied, ValidationFailed
from qashyq.core.streaming import ranged_file_response

from . import forms, policies, progress, selectors, services
from .models import (
    MANDATORY_COMPONENTS,
    ComponentKind,
    Material,
    PlanClass,
    Topic,
)

FILE_FIELDS = ("file", "captions")


def _offering_or_404(pk: int):
    offering = selectors.offering_for_materials(pk)
    if offering is None:
        raise NotFound(_("There is no such course."))
    return offering


def _weeks(version, *, show_unreleased: bool):
    """[(week, [(topic, [materials])])] from the prefetched topics."""
    today = timezone.localdate()
    weeks: dict[int, list] = {}
    for topic in version.topics.all():
        materials = selectors.visible_materials(topic, on=today, show_unreleased=show_unreleased)
        weeks.setdefault(topic.week, []).append((topic, materials))
    return sorted(weeks.items())


def _components(version):
    present = {c.kind: c for c in version.components.all()}
    return [(kind, kind in MANDATORY_COMPONENTS, present.get(kind)) for kind in ComponentKind]


def _share_context(version, offering=None) -> dict:
    share = selectors.online_share(version)
    classification = selectors.classify_share(share)
    return {
        "share_percent": None if share is None else round(share * 100, 1),
        "classification": classification,
        "conflicts": selectors.conflicting_programs(classification, offering)
        if offering is not None
        else [],
    }


@login_required
def course_materials(request, pk: int):
    offering = _offering_or_404(pk)
    if not policies.can_view_course_materials(request.user, offering):
        raise PermissionDenied(
            _(
                "This course's materials are open to its students and tutors and the academic "
                "staff responsible for it."
            )
        )
    can_edit = policies.can_edit_discipline_eumk(request.user, offering.discipline)
    version = selectors.latest_approved_version(offering.discipline_id)
    context = {
        "offering": offering,
        "version": version,
        "can_edit": can_edit,
        "eumk": selectors.eumk_of_discipline(offering.discipline_id) if can_edit else None,
    }
    if version is not None:
        context["components"] = [c for c in _components(version) if c[2] and c[2].has_content]
        context["plan"] = list(version.plan.all())
        selectors.annotate_embeds(version)
        context["weeks"] = _weeks(version, show_unreleased=can_edit)
        context.update(_share_context(version, offering))
        context.update(_progress_context(request.user, offering, version, can_edit=can_edit))
    return render(request, "courses/materials.html", context)


def _progress_context(user, offering, version, *, can_edit: bool) -> dict:
    """Locks and completion marks on the prefetched materials; the student's progress bar or
    the tutor's table of students."""
    enrolled = (
        None
        if can_edit
        else progress.enrollment_and_completions(user, offering, progress.material_ids(version))
    )
    is_student = enrolled is not None
    done = enrolled or set()
    progress.annotate_materials(version, done, see_all=can_edit)
    context: dict = {"is_student": is_student}
    if is_student:
        context["progress"] = progress.progress_from_contents(
            version, done, on=timezone.localdate()
        )
    if progress.can_view_offering_progress(user, offering):
        context["progress_rows"] = progress.offering_progress(offering, version)
    return context


def _approved_material(request, pk: int, material_pk: int):
    """The offering and one material of its approved EUMK version, after the course's policy."""
    offering = _offering_or_404(pk)
    if not policies.can_view_course_materials(request.user, offering):
        raise PermissionDenied(_("This course's materials are open to its students and tutors."))
    material = selectors.material_for_file(material_pk)
    approved = selectors.latest_approved_version(offering.discipline_id, contents=False)
    if material is None or approved is None or material.topic.version_id != approved.pk:
        raise NotFound(_("There is no such material in this course."))
    return offering, material


@login_required
@require_POST
def material_completion(request, pk: int, material_pk: int):
    """Mark a material as done (``done=1``) or take the mark back (``done=0``); no JS needed."""
    offering, material = _approved_material(request, pk, material_pk)
    try:
        if request.POST.get("done") == "0":
            progress.material_unmark_complete(actor=request.user, material=material)
            messages.success(request, _("The mark was taken back."))
        else:
            progress.material_mark_complete(actor=request.user, material=material)
            messages.success(request, _("Marked as done."))
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
    return redirect(reverse("courses:materials", args=[offering.pk]) + f"#material-{material.pk}")


def _serve(request, material: Material, field: str):
    """The file after the policy check: HTTP Range (a video seeks), inline media, downloads.

    SRT captions are converted to WebVTT on the fly (browsers read only WebVTT in ``<track>``)."""
    stored = getattr(material, field) if field in FILE_FIELDS else None
    if not stored:
        raise NotFound(_("This material has no such file."))
    if not stored.storage.exists(stored.name):
        raise NotFound(_("The file is missing from the storage."))
    filename = selectors.download_name(material, stored.name, field=field)
    if field == "file":
        # What the upload really is (sniffed when stored) and its fingerprint as the ETag.
        content_type = material.mime_type or selectors.content_type_of(stored.name)
        return ranged_file_response(
            request,
            stored.name,
            content_type=content_type,
            filename=filename,
            as_attachment=not selectors.is_media(content_type),
            storage=stored.storage,
            etag=material.sha256 or None,
        )
    if field == "captions" and selectors.stored_extension(stored.name) == "srt":
        with stored.storage.open(stored.name, "rb") as handle:
            data = handle.read(selectors.MAX_CAPTIONS_BYTES)
        response = HttpResponse(
            selectors.srt_to_webvtt(data), content_type="text/vtt; charset=utf-8"
        )
        response["X-Content-Type-Options"] = "nosniff"
        patch_cache_control(response, private=True)
        return response
    return ranged_file_response(
        request,
        stored.name,
        content_type=selectors.content_type_of(stored.name),
        filename=filename,
        storage=stored.storage,
    )


def _serve_component(request, component):
    """A component's file after the policy check (Range; media inline, the rest downloaded)."""
    stored = component.file
    if not stored:
        raise NotFound(_("This component has no file."))
    if not stored.storage.exists(stored.name):
        raise NotFound(_("The file is missing from the storage."))
    # What the upload really is (sniffed when stored) and its fingerprint as the ETag.
    content_type = component.mime_type or selectors.content_type_of(stored.name)
    return ranged_file_response(
        request,
        stored.name,
        content_type=content_type,
        filename=selectors.component_download_name(component),
        as_attachment=not selectors.is_media(content_type),
        storage=stored.storage,
        etag=component.sha256 or None,
    )


@login_required
def course_component_file(request, pk: int, component_pk: int):
    """The file of a component of the course's approved EUMK version, for its readers."""
    offering = _offering_or_404(pk)
    if not policies.can_view_course_materials(request.user, offering):
        raise PermissionDenied(_("This course's materials are open to its students and tutors."))
    component = selectors.component_for_file(component_pk)
    approved = selectors.latest_approved_version(offering.discipline_id, contents=False)
    if component is None or approved is None or component.version_id != approved.pk:
        raise NotFound(_("There is no such component in this course."))
    return _serve_component(request, component)


@login_required
def eumk_component_file(request, component_pk: int):
    """The file of a component of any version, for the EUMK's editors and reviewers."""
    component = selectors.component_for_file(component_pk)
    if component is None:
        raise NotFound(_("There is no such component."))
    if not policies.can_view_eumk(request.user, component.version.eumk):
        raise PermissionDenied(_("Only the EUMK's editors and reviewers may open its drafts."))
    return _serve_component(request, component)


@login_required
def course_material_file(request, pk: int, material_pk: int, field: str):
    offering, material = _approved_material(request, pk, material_pk)
    today = timezone.localdate()
    if (
        material.release_on
        and material.release_on > today
        and not policies.can_see_unreleased(request.user, offering)
    ):
        raise PermissionDenied(_("This material is not available yet."))
    version_id = material.topic.version_id
    if (
        material.requires_id
        and not policies.can_see_unreleased(request.user, offering)
        and material.requires_id not in progress.completed_ids(request.user, version_id)
    ):
        raise PermissionDenied(
            _("Complete “%(title)s” first.") % {"title": material.requires.title}
        )
    return _serve(request, material, field)


@login_required
def eumk_material_file(request, material_pk: int, field: str):
    material = selectors.material_for_file(material_pk)
    if material is None:
        raise NotFound(_("There is no such material."))
    if not policies.can_view_eumk(request.user, material.topic.version.eumk):
        raise PermissionDenied(_("Only the EUMK's editors and reviewers may open its drafts."))
    return _serve(request, material, field)


@login_required
@require_POST
def eumk_start(request, pk: int):
    offering = _offering_or_404(pk)
    eumk = services.eumk_start(actor=request.user, discipline=offering.discipline)
    return redirect("courses:eumk_detail", eumk.pk)


# --- the EUMK page -------------------------------------------------------------------------------


def _eumk_or_404(pk: int):
    eumk = selectors.eumk_for_page(pk)
    if eumk is None:
        raise NotFound(_("There is no such EUMK."))
    return eumk


@login_required
def eumk_detail(request, pk: int):
    eumk = _eumk_or_404(pk)
    if not policies.can_view_eumk(request.user, eumk):
        raise PermissionDenied(
            _("The EUMK's working versions are open to the discipline's tutors and methodologists.")
        )
    version = selectors.working_version(eumk)
    approved = selectors.latest_approved_version(eumk.discipline_id, contents=False)
    context = {
        "eumk": eumk,
        "version": version,
        "approved": approved,
        "can_edit": policies.can_edit_eumk(request.user, eumk),
        "can_review": policies.can_review_eumk(request.user, eumk),
        # Several forms share field names on this page: each renders its own ids (``auto_id``)
        # so that every <label for> points at its own input; the names, and so the POST
        # handling, stay the same.
        "plan_form": forms.PlanClassForm(auto_id="plan-%s"),
        "topic_form": forms.TopicForm(auto_id="topic-add-%s"),
        "return_form": forms.ReturnForm(auto_id="review-%s"),
    }
    if version is not None:
        context["missing"] = selectors.missing_components(version)
        context["components"] = [
            (
                kind,
                mandatory,
                component,
                forms.ComponentForm(
                    initial={
                        "body": component.body,
                        "grading_criteria": component.grading_criteria,
                        "url": component.url,
                    }
                    if component
                    else None,
                    prefix=kind,
                ),
            )
            for kind, mandatory, component in _components(version)
        ]
        context["plan"] = list(version.plan.all())
        selectors.annotate_embeds(version)
        context["weeks"] = _weeks(version, show_unreleased=True)
        for _week, topics in context["weeks"]:
            for topic, _materials in topics:
                topic.material_form = forms.MaterialForm(auto_id=f"topic-{topic.pk}-material-%s")
        # Every material of the version, for the "complete first" choice of each material.
        context["version_materials"] = [
            material
            for _week, topics in context["weeks"]
            for _topic, materials in topics
            for material in materials
        ]
        context.update(_share_context(version))
    return render(request, "courses/eumk_detail.html", context)


def _bound(form_class, request, **kwargs):
    form = form_class(request.POST, request.FILES, **kwargs)
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[name].label if name in form.fields else ''}: {' '.join(msgs)}"
            for name, msgs in form.errors.items()
        )
        raise ValidationFailed(errors)
    return form.cleaned_data


def _object_of(model, request, version, *, via: str):
    try:
        obj_id = int(request.POST.get("id", ""))
    except ValueError as exc:
        raise ValidationFailed(_("Choose what to change.")) from exc
    obj = model.objects.filter(pk=obj_id, **{via: version}).first()
    if obj is None:
        raise NotFound(_("It is not part of this version any more."))
    return obj


@login_required
@require_POST
def eumk_action(request, pk: int, action: str):
    eumk = _eumk_or_404(pk)
    if action == "new_draft":
        services.eumk_draft_open(actor=request.user, eumk=eumk)
        messages.success(request, _("A new draft version was created from the approved one."))
        return redirect("courses:eumk_detail", eumk.pk)
    version = selectors.working_version(eumk)
    if version is None:
        raise NotFound(_("This EUMK has no version yet."))
    user = request.user
    done = _("Saved.")
    try:
        if action == "component":
            kind = request.POST.get("kind", "")
            data = _bound(forms.ComponentForm, request, prefix=kind)
            services.component_save(actor=user, version=version, kind=kind, **data)
        elif action == "plan_add":
            services.plan_class_add(
                actor=user, version=version, **_bound(forms.PlanClassForm, request)
            )
        elif action == "plan_delete":
            services.plan_class_delete(
                actor=user, plan_class=_object_of(PlanClass, request, version, via="version")
            )
        elif action == "topic_add":
            services.topic_add(actor=user, version=version, **_bound(forms.TopicForm, request))
        elif action == "topic_update":
            services.topic_update(
                actor=user,
                topic=_object_of(Topic, request, version, via="version"),
                **_bound(forms.TopicEditForm, request),
            )
        elif action == "topic_delete":
            services.topic_delete(
                actor=user, topic=_object_of(Topic, request, version, via="version")
            )
        elif action == "material_add":
            topic = _object_of(Topic, request, version, via="version")
            services.material_add(actor=user, topic=topic, **_bound(forms.MaterialForm, request))
        elif action == "material_update":
            material = _object_of(Material, request, version, via="topic__version")
            data = _bound(forms.MaterialEditForm, request)
            if "requires" in request.POST:
                data["requires"] = _required_material(request, version)
            services.material_update(actor=user, material=material, **data)
        elif action == "material_delete":
            services.material_delete(
                actor=user, material=_object_of(Material, request, version, via="topic__version")
            )
        elif action == "material_requires":
            material = _object_of(Material, request, version, via="topic__version")
            requires = _required_material(request, version)
            progress.material_set_requirement(actor=user, material=material, requires=requires)
        elif action == "submit":
            services.eumk_version_submit(actor=user, version=version)
            done = _("The EUMK was submitted for review.")
        else:
            raise NotFound(_("There is no such action."))
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect(reverse("courses:eumk_detail", args=[eumk.pk]) + _anchor(action, request))


def _required_material(request, version) -> Material | None:
    """The material named by the ``requires`` field (empty: none), of the same version."""
    requires_id = request.POST.get("requires", "")
    if not requires_id:
        return None
    requires = Material.objects.filter(
        pk=int(requires_id) if requires_id.isdigit() else 0, topic__version=version
    ).first()
    if requires is None:
        raise ValidationFailed(_("The required material must be part of the same version."))
    return requires


def _anchor(action: str, request=None) -> str:
    anchors = {
        "component": "#components",
        "plan_add": "#plan",
        "plan_delete": "#plan",
        "topic_add": "#topics",
        "topic_update": "#topics",
        "topic_delete": "#topics",
        "material_add": "#topics",
        "material_update": "#topics",
        "material_delete": "#topics",
        "material_requires": "#topics",
    }
    object_id = request.POST.get("id", "") if request is not None else ""
    if object_id.isdigit() and action in ("topic_update", "material_update"):
        prefix = "topic" if action == "topic_update" else "material"
        return f"#{prefix}-{object_id}"
    return anchors.get(action, "")


# --- review -------------------------------------------------------------------------------------


@login_required
def review_queue(request):
    if not policies.can_open_review_queue(request.user):
        raise PermissionDenied(_("The review queue is for methodologists and heads of department."))
    return render(
        request,
        "courses/review_queue.html",
        {"versions": selectors.review_queue(request.user), "return_form": forms.ReturnForm()},
    )


@login_required
@require_POST
def review_decide(request, version_pk: int):
    version = selectors.version_with_contents(version_pk)
    if version is None:
        raise NotFound(_("There is no such EUMK version."))
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            services.eumk_version_approve(
                actor=request.user, version=version, comment=request.POST.get("comment", "")
            )
            messages.success(request, _("The EUMK version was approved."))
        elif decision == "return":
            services.eumk_version_return(
                actor=request.user, version=version, comment=request.POST.get("comment", "")
            )
            messages.success(request, _("The EUMK version was returned to its authors."))
        else:
            raise ValidationFailed(_("Choose to approve or to return."))
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
    if request.POST.get("next") == "eumk":
        return redirect("courses:eumk_detail", version.eumk_id)
    return redirect("courses:review_queue")


# --- completeness dashboard ----------------------------------------------------------------------


def _int_param(request, name: str) -> int | None:
    try:
        return int(request.GET.get(name, "")) or None
    except ValueError:
        return None


@login_required
def completeness(request):
    if not policies.can_view_completeness(request.user):
        raise PermissionDenied(
            _(
                "The completeness of EUMKs is for methodologists, heads of department and the "
                "university's administration."
            )
        )
    filters = {
        "faculty_id": _int_param(request, "faculty"),
        "department_id": _int_param(request, "department"),
        "program_id": _int_param(request, "program"),
    }
    report = selectors.eumk_completeness(request.user, **filters)
    sections = [
        ("department", _("By department"), report.departments),
        ("program", _("By program"), report.programs),
    ]
    return render(
        request,
        "courses/completeness.html",
        {"report": report, "sections": sections, **filters},
    )
