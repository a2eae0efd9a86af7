"""The read-only JSON API under ``/api/v1/``: tokens, their checks, the endpoints and the OpenAPI document."""
