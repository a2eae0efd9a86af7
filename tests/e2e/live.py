"""One live server for the browser tests: the app on a free loopback port, in a thread.

Werkzeug's server skips closing a response when the browser drops the connection while the
server drains the request (a page left for the next one mid-download). A static file's handle
then stays open until the garbage collector finds it, and ``filterwarnings = error`` turned
that ResourceWarning into a random teardown error. Here the request handler closes the body
of a dropped connection itself, once.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from werkzeug.serving import WSGIRequestHandler, make_server

_BODY = "nrs.tests.body"


class _CloseOnce:
    def __init__(self, body):
        self.body = body
        self.closed = False

    def __iter__(self):
        return iter(self.body)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            close = getattr(self.body, "close", None)
            if close is not None:
                close()


class _Handler(WSGIRequestHandler):
    def connection_dropped(self, error, environ=None) -> None:
        body = (environ or {}).get(_BODY)
        if body is not None:
            body.close()


class LiveServer:
    """Bound at once (``base`` is known before the app exists, as the SSO test needs); serves ``app``."""

    def __init__(self, app=None):
        self.app = app
        self.httpd = make_server("127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _wsgi(self, environ, start_response):
        body = _CloseOnce(self.app(environ, start_response))
        environ[_BODY] = body
        return body

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.thread.join(timeout=10)
        self.httpd.server_close()


@contextmanager
def live_server(app):
    """The base URL of ``app`` served until the block ends."""
    server = LiveServer(app).start()
    try:
        yield server.base
    finally:
        server.stop()
