"""Personal data (GDPR): the access log for referral data, retention, and data-subject requests."""
