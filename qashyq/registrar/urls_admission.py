"""URLs of the registrar's admission pages (included by registrar.urls under the same namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
