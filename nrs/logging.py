"""Log lines for people (the default) or for a log collector (``NRS_LOG_FORMAT=json``).

With several app machines the logs are read by a collector (journald → Loki, Elastic, ...), so
each line is one JSON object; every request gets one line with its id, path, status and
duration, and the id travels in ``X-Request-ID`` so a line in nginx's log finds its app line.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

from nrs.config import ConfigError

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
#: Fields a request line carries beside the standard ones, in this order.
REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "remote_addr")
_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

request_log = logging.getLogger("nrs.request")


def log_format(env: dict | None = None) -> str:
    env = os.environ if env is None else env
    value = (env.get("NRS_LOG_FORMAT") or "text").strip().lower()
    if value not in FORMATS:
        raise ConfigError("NRS_LOG_FORMAT", f"must be text or json, got {value!r}")
    return value


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, then extras."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    """Stamp every record logged during a request with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id") and has_request_context():
            rid = g.get("request_id")
            if rid:
                record.request_id = rid
        return True


def configure(app: Flask, env: dict | None = None) -> None:
    """Set up the root logger for the chosen format; in JSON mode also log every request."""
    fmt = log_format(env)
    root = logging.getLogger()
    if fmt == "text":
        logging.basicConfig(level=logging.INFO, format=TEXT_FORMAT)
    else:
        root.setLevel(logging.INFO)
        streams = [h for h in root.handlers if type(h) is logging.StreamHandler]
        if not streams:
            streams = [logging.StreamHandler(sys.stderr)]
            root.addHandler(streams[0])
        for handler in streams:
            handler.setFormatter(JsonFormatter())
            if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
                handler.addFilter(RequestIdFilter())
        _log_requests(app)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _log_requests(app: Flask) -> None:
    # Registered before the database hooks, so it runs after them: the duration includes the commit.
    @app.before_request
    def _start():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming[:64] if incoming.isprintable() and incoming else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        started = g.get("request_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started else None
        response.headers["X-Request-ID"] = g.get("request_id", "")
        request_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": g.get("request_id"),
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration,
                "remote_addr": request.remote_addr,  # behind nginx: ProxyFix (NRS_PROXY_HOPS)
            },
        )
        return response
