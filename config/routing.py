"""Websocket routes. Each app that has consumers adds its routes here."""

from django.urls import path

from qashyq.core.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
]
