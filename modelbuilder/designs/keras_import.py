"""A Keras .h5 file → its architecture (``model_config``), for importing it onto the editor's canvas.

The editor turns the config into a graph itself (``frontend/src/editor/kerasImport.ts``), exactly as it does
for a pasted ``model.to_json()``; the server only reads the file, which the browser cannot.
"""

import tempfile

from django.conf import settings

from modelbuilder.core.errors import ApplicationError

MAX_IMPORT_BYTES_DEFAULT = 200 * 2**20


def design_config_from_h5(*, upload) -> dict:
    """The ``{"class_name", "config"}`` stored in an uploaded Keras .h5; weights are not read."""
    from engine.saving import ModelFileError, read_model_config

    limit = getattr(settings, "MODELBUILDER_MAX_UPLOAD_BYTES", MAX_IMPORT_BYTES_DEFAULT)
    if upload.size is not None and upload.size > limit:
        raise ApplicationError(f"The file is {upload.size:,} bytes; the limit is {limit:,}.",
                               code="file_too_large", status=413)
    with tempfile.NamedTemporaryFile(suffix=".h5") as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            return read_model_config(tmp.name)
        except ModelFileError as e:
            message = str(e).replace(repr(tmp.name), repr(upload.name or "the file"))
            raise ApplicationError(message, code="invalid_model_file") from e
