"""gunicorn settings for NRS: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Every value can be changed from the environment (systemd ``Environment=`` lines), so one file
serves every app machine.
"""

import os

#: Loopback: only the nginx on the same machine reaches the app (deploy/nginx-app.conf).
bind = os.environ.get("NRS_BIND", "127.0.0.1:8000")
#: Sync workers: NRS pages are short database-bound requests; nginx buffers slow clients.
workers = int(os.environ.get("NRS_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
worker_class = os.environ.get("NRS_WORKER_CLASS", "sync")
threads = int(os.environ.get("NRS_THREADS", "1"))
timeout = int(os.environ.get("NRS_WORKER_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
#: Recycle workers now and then so a slow leak never takes a machine down.
max_requests = int(os.environ.get("NRS_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
#: Not preloaded: each worker opens its own database pool (pools must not cross a fork).
preload_app = False
#: Trust X-Forwarded-Proto only from the local nginx. The client address comes from
#: X-Forwarded-For through the app's NRS_PROXY_HOPS=1 (werkzeug's ProxyFix).
forwarded_allow_ips = os.environ.get("NRS_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = os.environ.get("NRS_PROC_NAME", "nrs")
#: The app logs one line per request itself (with its request id); gunicorn's access log would
#: only repeat it.
accesslog = None
errorlog = "-"
loglevel = "info"

if os.environ.get("NRS_LOG_FORMAT", "text").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "nrs.logging.JsonFormatter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
        },
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
            # logconfig_dict switches gunicorn's access log on; the app's request line replaces it.
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
        "root": {"level": "INFO", "handlers": ["console"]},
    }
