"""The journal export for Platonus (XLSX or CSV) of an offering or one of its groups. Thin:
check the policy, read ``selectors.journal_export_rows``, write ``formats.platonus``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.translation import gettext as _

from qashyq.core.errors import PermissionDenied, ValidationFailed

from .. import policies, selectors
from ..formats import platonus
from .journal import _offering

WRITERS = {
    "xlsx": (platonus.journal_xlsx, platonus.XLSX_CONTENT_TYPE),
    "csv": (platonus.journal_csv, platonus.CSV_CONTENT_TYPE),
}


def _group_id(request, offering) -> int | None:
    raw = request.GET.get("group", "")
    if not raw:
        return None
    group = offering.groups.filter(pk=int(raw) if raw.isdigit() else 0).first()
    if group is None:
        raise ValidationFailed(_("This group does not study this course."), code="bad_group")
    return group.pk


@login_required
def journal_platonus(request, pk: int, fmt: str):
    """``?group=<id>`` limits the file to one group of the offering."""
    offering = _offering(pk)
    if not policies.can_export_journal(request.user, offering):
        raise PermissionDenied(
            _(
                "The export for Platonus carries the students' IINs: only the course's tutors, "
                "the registrar and the system administrator download it."
            )
        )
    group_id = _group_id(request, offering)
    write, content_type = WRITERS[fmt]
    rows = selectors.journal_export_rows(offering, group_id=group_id)
    response = HttpResponse(write(rows), content_type=content_type)
    suffix = f"-g{group_id}" if group_id else ""
    name = f"platonus-{offering.discipline.code}-{offering.pk}{suffix}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
