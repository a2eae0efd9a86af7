from __future__ import annotations

import pytest

from tests.mail.smtp import smtp_server  # noqa: F401 - fixture


@pytest.fixture
def settings(settings, smtp_server):  # noqa: F811
    """The app sends to the loopback SMTP server of the test."""
    return settings.with_(smtp_host="127.0.0.1", smtp_port=smtp_server.port, mail_from="nrs@nrs.test")
