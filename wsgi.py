"""What gunicorn serves: ``gunicorn wsgi:app``."""

import sys

from nrs import create_app, served
from nrs.config import ConfigError

try:
    app = served(create_app())
except ConfigError as exc:  # one line naming the setting, not a traceback per worker
    print(f"error: {exc}", file=sys.stderr, flush=True)
    sys.exit(3)  # gunicorn's "worker failed to boot": it stops instead of restarting the worker
