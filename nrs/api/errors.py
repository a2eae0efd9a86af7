"""The API's errors are JSON, never the HTML error page: ``{"error": {"status": 404, "message": "…"}}``.

A leaf module (Flask only), so ``nrs.errorpages`` can ask it without importing the API.
"""

from __future__ import annotations

from flask import jsonify, request

PREFIX = "/api/"

#: RFC 6750: the scheme a client must use, and what was wrong with the key it sent.
REALM = 'Bearer realm="NRS API"'


def is_api_request() -> bool:
    """Whether the request is for the API (an unknown path under /api/ too): errors go out as JSON."""
    return request.path.startswith(PREFIX)


def json_error(status: int, message, headers: dict | None = None):
    response = jsonify({"error": {"status": status, "message": str(message)}})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def unauthorized(message, *, invalid: bool):
    """401 with the challenge a client reads: ``error="invalid_token"`` when a key was sent but refused."""
    challenge = f'{REALM}, error="invalid_token"' if invalid else REALM
    return json_error(401, message, {"WWW-Authenticate": challenge})
