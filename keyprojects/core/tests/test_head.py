"""HEAD gets GET's headers and no body (RFC 9110): what the WSGI server receives, not what the test
client shows (the test client drops a HEAD body itself, gunicorn drops it with a WARNING per request)."""

from __future__ import annotations

import io

from django.core.handlers.wsgi import WSGIHandler
from django.http import FileResponse, HttpResponse
from django.test import RequestFactory

from keyprojects.core.middleware import HeadWithoutBodyMiddleware


def wsgi(method: str, path: str) -> tuple[str, dict[str, str], bytes]:
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD=method, HTTP_HOST="kp.example.test")
    got: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
        got["status"], got["headers"] = status, dict(headers)

    result = WSGIHandler()(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return str(got["status"]), got["headers"], body  # type: ignore[return-value]


def test_head_of_the_login_page_and_the_probe_sends_no_body(db):
    for path in ("/accounts/login/", "/readyz", "/healthz"):
        get_status, get_headers, get_body = wsgi("GET", path)
        status, headers, body = wsgi("HEAD", path)
        assert get_body and status == get_status, path
        assert body == b"", path
        assert headers["Content-Length"] == str(len(get_body)) == get_headers.get("Content-Length", str(len(get_body))), path
        assert headers["Content-Type"] == get_headers["Content-Type"], path


def test_head_of_a_file_sends_its_length_and_closes_it(db):
    handle = io.BytesIO(b"x" * 1000)
    middleware = HeadWithoutBodyMiddleware(lambda request: FileResponse(handle, filename="a.txt"))
    response = middleware(RequestFactory().head("/media/a.txt"))
    assert response["Content-Length"] == "1000" and b"".join(response.streaming_content) == b""
    response.close()
    assert handle.closed


def test_get_keeps_its_body():
    middleware = HeadWithoutBodyMiddleware(lambda request: HttpResponse(b"body"))
    assert middleware(RequestFactory().get("/")).content == b"body"
