from __future__ import annotations

import pytest

#: A small document limit so the "too large" test need not send megabytes.
LIMIT = 64 * 1024


@pytest.fixture
def settings(settings):
    return settings.with_(extra={**settings.extra, "agreement_document_max_bytes": LIMIT})
