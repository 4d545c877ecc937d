"""The registrar's admission API (mounted by config.api)."""

from ninja import Router

router = Router(tags=["registrar"])
