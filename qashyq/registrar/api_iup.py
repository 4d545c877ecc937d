"""The registrar's iup API (mounted by config.api)."""

from ninja import Router

router = Router(tags=["registrar"])
