"""The suite really runs on the services it claims: `make test-postgres` sets
QASHYQ_EXPECT_SERVICES=1 with DATABASE_URL and REDIS_URL, and then these must not fall back to
SQLite or the in-process cache and channel layer."""

import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import caches
from django.db import connection

from config import env

expect_services = pytest.mark.skipif(
    not env.get_bool("QASHYQ_EXPECT_SERVICES"), reason="make test-postgres runs this"
)


@expect_services
@pytest.mark.django_db
def test_database_is_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("select current_database()")
        assert cursor.fetchone()[0].startswith("test_")


@expect_services
def test_cache_is_redis():
    cache = caches["default"]
    assert type(cache).__name__ == "RedisCache"
    key = f"probe-{uuid.uuid4().hex}"
    cache.set(key, "сәлем", 30)
    client = cache._cache.get_client(key, write=False)
    assert client.exists(cache.make_key(key)) == 1
    assert cache.get(key) == "сәлем"


@expect_services
def test_channel_layer_is_redis():
    assert type(get_channel_layer()).__name__ == "RedisChannelLayer"


def test_channel_layer_delivers_a_message():
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()

    async_to_sync(layer.send)(channel, {"type": "probe", "text": "сәлем"})

    assert async_to_sync(layer.receive)(channel) == {"type": "probe", "text": "сәлем"}
