"""Serving stored files with HTTP Range, so a video lecture can be seeked and a download resumed.

``ranged_file_response`` does no permission check: the view checks the policy first and only
then calls it (docs/subsystems/files.md)::

    def material_file(request, pk):
        material = selectors.material_get(pk=pk)
        if not policies.can_view_material(request.user, material):
            raise Http404
        return ranged_file_response(
            request, material.file.name, content_type=material.mime_type,
            filename=material.original_name, etag=material.sha256,
        )

Behaviour (RFC 9110):

* a plain GET answers 200 with the whole file and ``Accept-Ranges: bytes``;
* ``Range: bytes=a-b``, ``bytes=a-`` and ``bytes=-n`` answer 206 with ``Content-Range``;
* a range that starts past the end (or ``bytes=-0``) answers 416 with
  ``Content-Range: bytes */size``;
* a request for several ranges (``bytes=0-1,5-6``), another unit, or a malformed header is
  ignored and answered 200 with the whole file; browsers and players ask for one range;
* ``If-Range`` with an ETag or a date that no longer matches answers 200 with the whole file;
* ``If-None-Match`` / ``If-Modified-Since`` that match answer 304, ``If-Match`` that fails 412;
* the body is read in chunks, never loaded into memory: a sync iterator under WSGI and an async
  one under ASGI (Django would otherwise read a sync iterator whole before sending it);
* ``Content-Disposition`` carries an ASCII fallback and the UTF-8 name (RFC 6266 / 5987), so a
  Kazakh file name survives; ``X-Content-Type-Options: nosniff`` and ``Cache-Control: private``.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from typing import Any
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.core.files.storage import Storage, default_storage
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

CHUNK_BYTES = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    """The Range header names bytes the file does not have."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end)`` inclusive for one satisfiable byte range, or ``None`` to serve it whole.

    Raises ``Unsatisfiable`` when the range is well formed but lies outside the file.
    """
    if not header:
        return None
    header = header.strip().replace(" ", "")
    if "," in header:
        return None  # several ranges: served whole (documented decision)
    match = _RANGE.match(header)
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last n bytes
        length = int(last)
        if length == 0 or size == 0:
            raise Unsatisfiable
        return max(size - length, 0), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # invalid: ignore the header
    if start >= size:
        raise Unsatisfiable
    return start, min(end, size - 1)


def _if_range_matches(value: str, etag: str, last_modified: int | None) -> bool:
    value = value.strip()
    if value.startswith(('"', "W/")):
        return not value.startswith("W/") and value == etag  # only strong validators match
    when = parse_http_date_safe(value)
    return when is not None and last_modified is not None and when == last_modified


def content_disposition(filename: str, *, as_attachment: bool) -> str:
    """``inline|attachment; filename="ascii"; filename*=UTF-8''…`` (RFC 6266, RFC 5987)."""
    disposition = "attachment" if as_attachment else "inline"
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r'[^\x20-\x7e]|["\\]', "_", ascii_name).strip() or "file"
    if ascii_name.startswith(".") or ascii_name == os.path.splitext(filename)[1]:
        ascii_name = "file" + ascii_name
    value = f'{disposition}; filename="{ascii_name}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


class _Chunks:
    """Bytes ``start``..``start+length`` of a file, read in chunks (WSGI)."""

    def __init__(self, opener, start: int, length: int):
        self._opener = opener
        self._start = start
        self._length = length
        self._file = None

    def __iter__(self):
        self._file = self._opener()
        self._file.seek(self._start)
        remaining = self._length
        while remaining > 0:
            data = self._file.read(min(CHUNK_BYTES, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data

    def close(self):
        if self._file is not None:
            self._file.close()


class _AsyncChunks(_Chunks):
    """The same, as an async iterator whose reads run in a thread (ASGI)."""

    __iter__ = None  # type: ignore[assignment]  # so Django treats it as async

    def __aiter__(self):
        return self._read()

    async def _read(self):
        self._file = await sync_to_async(self._opener, thread_sensitive=False)()
        await sync_to_async(self._file.seek, thread_sensitive=False)(self._start)
        remaining = self._length
        while remaining > 0:
            data = await sync_to_async(self._file.read, thread_sensitive=False)(
                min(CHUNK_BYTES, remaining)
            )
            if not data:
                break
            remaining -= len(data)
            yield data


def _describe(file_or_name: Any, storage: Storage | None):
    """(opener, size, last_modified timestamp or None, key for the default ETag)."""
    if isinstance(file_or_name, str):
        storage = storage or default_storage
        name = file_or_name
        size = storage.size(name)
        try:
            modified = int(storage.get_modified_time(name).timestamp())
        except (NotImplementedError, OSError):
            modified = None
        return (lambda: storage.open(name, "rb")), size, modified, name

    fileobj = file_or_name
    modified = None
    try:
        stat = os.fstat(fileobj.fileno())
        size, modified = stat.st_size, int(stat.st_mtime)
    except (AttributeError, OSError, ValueError):
        size = getattr(fileobj, "size", None)
        if size is None:
            fileobj.seek(0, os.SEEK_END)
            size = fileobj.tell()
    return (lambda: fileobj), size, modified, str(getattr(fileobj, "name", "") or id(fileobj))


def _close(fileobj) -> None:
    if fileobj is not None:
        fileobj.close()


def _finish(response: HttpResponse, *, etag: str, last_modified: int | None) -> HttpResponse:
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True)
    return response


def ranged_file_response(
    request,
    file_or_storage_name: Any,
    *,
    content_type: str,
    filename: str | None = None,
    as_attachment: bool = False,
    storage: Storage | None = None,
    etag: str | None = None,
) -> HttpResponse:
    """A 200/206/304/412/416 response for a stored file; call it after the policy check.

    ``file_or_storage_name`` is a name in ``storage`` (``default_storage`` unless given) or an
    open binary file object, which the response then owns and closes. ``etag`` is a strong
    validator such as the file's sha256; by default one is made from name, size and mtime.
    """
    opener, size, last_modified, key = _describe(file_or_storage_name, storage)
    if etag is None:
        etag = hashlib.sha256(f"{key}:{size}:{last_modified}".encode()).hexdigest()[:32]
    if not etag.startswith('"'):
        etag = f'"{etag}"'

    owned_file = None if isinstance(file_or_storage_name, str) else file_or_storage_name
    conditional = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if conditional is not None:
        _close(owned_file)
        return _finish(conditional, etag=etag, last_modified=last_modified)

    byte_range = None
    if request.method in ("GET", "HEAD"):
        if_range = request.headers.get("If-Range")
        if not if_range or _if_range_matches(if_range, etag, last_modified):
            try:
                byte_range = parse_range(request.headers.get("Range"), size)
            except Unsatisfiable:
                _close(owned_file)
                response = HttpResponse(status=416)
                response["Content-Range"] = f"bytes */{size}"
                return _finish(response, etag=etag, last_modified=last_modified)

    start, end = byte_range if byte_range else (0, size - 1)
    length = end - start + 1 if size else 0
    status = 206 if byte_range else 200

    if request.method == "HEAD":
        _close(owned_file)
        response = HttpResponse(status=status, content_type=content_type)
    else:
        chunks_class = _AsyncChunks if isinstance(request, ASGIRequest) else _Chunks
        response = StreamingHttpResponse(
            chunks_class(opener, start, length), status=status, content_type=content_type
        )
    response["Content-Length"] = str(length)
    if byte_range:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    if filename or as_attachment:
        response["Content-Disposition"] = (
            content_disposition(filename, as_attachment=as_attachment) if filename else "attachment"
        )
    return _finish(response, etag=etag, last_modified=last_modified)
