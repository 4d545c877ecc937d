"""The registrar's graduation API (mounted by config.api)."""

from ninja import Router

router = Router(tags=["registrar"])
