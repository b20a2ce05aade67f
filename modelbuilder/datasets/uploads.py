"""An upload handler that refuses bodies over MODELBUILDER_MAX_UPLOAD_BYTES with a 413.

It runs before the other handlers (settings.FILE_UPLOAD_HANDLERS), so an oversized upload is refused
from its Content-Length before a byte is read, or as soon as a chunked body passes the limit.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler

from modelbuilder.core.errors import ApplicationError


def _too_large() -> ApplicationError:
    limit = settings.MODELBUILDER_MAX_UPLOAD_BYTES
    return ApplicationError(
        f"The upload is larger than the limit of {limit} bytes.",
        code="upload_too_large",
        status=413,
        details={"limit_bytes": limit},
    )


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > settings.MODELBUILDER_MAX_UPLOAD_BYTES:
            raise _too_large()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.MODELBUILDER_MAX_UPLOAD_BYTES:
            raise _too_large()
        return raw_data

    def file_complete(self, file_size):
        return None
