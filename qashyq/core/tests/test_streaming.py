"""Range streaming: a player can seek (206 with the exact bytes), stale ranges get the whole file,
a Kazakh file name survives the download, and the body is streamed in chunks under WSGI and ASGI.

The views below are wired only for these tests (this module is their urlconf)."""

import urllib.error
import urllib.request
import warnings
from urllib.parse import unquote

import pytest
from asgiref.sync import async_to_sync
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import AsyncClient
from django.urls import path
from django.utils.http import http_date

from qashyq.core.streaming import CHUNK_BYTES, parse_range, ranged_file_response

CONTENT = bytes(range(256)) * 4  # 1024 bytes, each position distinguishable
KAZAKH_NAME = "Қазақ тілі — 1-дәріс.mp4"


def serve_stored(request, name):
    return ranged_file_response(
        request,
        name,
        content_type="video/mp4",
        filename=request.GET.get("filename"),
        as_attachment="download" in request.GET,
    )


def serve_open_file(request, name):
    return ranged_file_response(
        request, default_storage.open(name, "rb"), content_type="application/octet-stream"
    )


urlpatterns = [
    path("test-files/<path:name>", serve_stored),
    path("test-open/<path:name>", serve_open_file),
]

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


@pytest.fixture
def stored():
    return default_storage.save("videos/lecture.mp4", ContentFile(CONTENT))


def get(client, stored, **headers):
    return client.get(f"/test-files/{stored}", headers=headers)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_plain_get_answers_200_with_the_whole_file(client, stored):
    response = get(client, stored)
    assert response.status_code == 200
    assert body(response) == CONTENT
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == "1024"
    assert response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert response["ETag"].startswith('"')
    assert "Content-Range" not in response


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-199", 100, 199),
        ("bytes=1000-", 1000, 1023),
        ("bytes=-24", 1000, 1023),
        ("bytes=-5000", 0, 1023),
        ("bytes=500-99999", 500, 1023),
    ],
)
def test_a_range_answers_206_with_exactly_those_bytes(client, stored, header, start, end):
    response = get(client, stored, Range=header)
    assert response.status_code == 206
    assert body(response) == CONTENT[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/1024"
    assert response["Content-Length"] == str(end - start + 1)


@pytest.mark.parametrize("header", ["bytes=1024-", "bytes=5000-6000", "bytes=-0"])
def test_a_range_outside_the_file_answers_416(client, stored, header):
    response = get(client, stored, Range=header)
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1024"


@pytest.mark.parametrize(
    "header", ["bytes=0-1,5-6", "items=0-10", "bytes=abc", "bytes=20-10", "bytes=-"]
)
def test_several_ranges_or_a_malformed_header_get_the_whole_file(client, stored, header):
    response = get(client, stored, Range=header)
    assert response.status_code == 200
    assert body(response) == CONTENT


def test_if_range_with_the_current_etag_gets_the_range(client, stored):
    etag = get(client, stored)["ETag"]
    response = get(client, stored, Range="bytes=10-19", If_Range=etag)
    assert response.status_code == 206
    assert body(response) == CONTENT[10:20]


def test_if_range_with_a_stale_etag_gets_the_whole_file(client, stored):
    response = get(client, stored, Range="bytes=10-19", If_Range='"an-older-version"')
    assert response.status_code == 200
    assert body(response) == CONTENT


def test_if_range_with_a_date_works_like_the_etag(client, stored):
    last_modified = get(client, stored)["Last-Modified"]
    current = get(client, stored, Range="bytes=10-19", If_Range=last_modified)
    assert current.status_code == 206
    stale = get(client, stored, Range="bytes=10-19", If_Range=http_date(0))
    assert stale.status_code == 200
    assert body(stale) == CONTENT


def test_a_changed_file_gets_a_new_etag(client, stored):
    before = get(client, stored)["ETag"]
    default_storage.delete(stored)
    default_storage.save(stored, ContentFile(CONTENT[:500]))
    after = get(client, stored, Range="bytes=10-19", If_Range=before)
    assert after["ETag"] != before
    assert after.status_code == 200
    assert body(after) == CONTENT[:500]


def test_if_none_match_with_the_current_etag_answers_304(client, stored):
    etag = get(client, stored)["ETag"]
    response = get(client, stored, If_None_Match=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response.content == b""


def test_a_kazakh_file_name_survives_in_content_disposition(client, stored):
    response = client.get(f"/test-files/{stored}", {"filename": KAZAKH_NAME, "download": "1"})
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    fallback, encoded = disposition.split("; filename*=UTF-8''")
    assert fallback.isascii() and fallback.endswith('.mp4"')
    assert unquote(encoded) == KAZAKH_NAME


def test_an_ascii_name_shown_inline_needs_no_encoding(client, stored):
    response = client.get(f"/test-files/{stored}", {"filename": "lecture 1.mp4"})
    assert response["Content-Disposition"] == 'inline; filename="lecture 1.mp4"'


def test_head_answers_the_headers_without_the_body(client, stored):
    response = client.head(f"/test-files/{stored}", headers={"Range": "bytes=0-9"})
    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert response["Content-Range"] == "bytes 0-9/1024"
    assert response.content == b""


def test_an_open_file_object_can_be_served_too(client, stored):
    response = client.get(f"/test-open/{stored}", headers={"Range": "bytes=-4"})
    assert response.status_code == 206
    assert body(response) == CONTENT[-4:]


def test_a_large_file_is_streamed_in_chunks_not_read_whole(client):
    big = bytes(range(256)) * (5 * 1024 * 4)  # 5 MiB
    name = default_storage.save("videos/big.mp4", ContentFile(big))
    response = client.get(f"/test-files/{name}", headers={"Range": "bytes=1000-"})
    assert response.streaming
    sizes = [len(chunk) for chunk in response.streaming_content]
    assert max(sizes) <= CHUNK_BYTES and len(sizes) > 50
    assert sum(sizes) == len(big) - 1000


def test_under_asgi_the_body_is_an_async_stream_with_the_exact_bytes(stored):
    client = AsyncClient()
    with warnings.catch_warnings():
        # Django warns (and reads the whole file into memory) when it has to turn a sync
        # iterator into an async one; the async path must not need that.
        warnings.simplefilter("error")
        response = async_to_sync(client.get)(
            f"/test-files/{stored}", headers={"Range": "bytes=256-511"}
        )

        async def collect():
            return b"".join([chunk async for chunk in response.streaming_content])

        content = async_to_sync(collect)()
    assert response.is_async
    assert response.status_code == 206
    assert content == CONTENT[256:512]


def test_parse_range_edges():
    assert parse_range(None, 10) is None
    assert parse_range("bytes=0-0", 10) == (0, 0)
    assert parse_range("bytes = 2 - 3", 10) == (2, 3)
    assert parse_range("bytes=-1", 10) == (9, 9)


@pytest.mark.django_db(transaction=True)
def test_a_real_server_answers_a_range_request(live_server, stored):
    url = f"{live_server.url}/test-files/{stored}"
    request = urllib.request.Request(url, headers={"Range": "bytes=100-149"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 206
        assert response.headers["Content-Range"] == "bytes 100-149/1024"
        assert response.read() == CONTENT[100:150]
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Accept-Ranges"] == "bytes"
        assert response.read() == CONTENT
    unsatisfiable = urllib.request.Request(url, headers={"Range": "bytes=4000-"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(unsatisfiable, timeout=10)
    assert caught.value.code == 416
