from __future__ import annotations

from tests.imap import imap_server, imap_server_process  # noqa: F401 - fixtures
