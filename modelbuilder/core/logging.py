"""Logging filters."""

import logging


class SkipHealthCheckErrors(logging.Filter):
    """Drop Django's "Service Unavailable: /api/health" lines: the 503 is the answer, not a fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.name == "django.request"
            and getattr(record, "status_code", None) == 503
            and "/api/health" in record.getMessage()
        )
