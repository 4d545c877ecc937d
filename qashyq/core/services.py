from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditLogEntry


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
) -> AuditLogEntry:
    """Append one entry to the audit log. Call it inside the service's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    return AuditLogEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=str(obj)[:255] if obj is not None else "",
        old_value=old,
        new_value=new,
        reason=reason,
    )
