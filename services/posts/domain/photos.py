"""A post's photos: the rules, and what a processed photo is. Pure: the decoding and
re-encoding is an adapter's (Pillow), behind the ImageProcessor port.

Every photo is decoded and re-encoded (never stored as sent), so no metadata block
survives (EXIF GPS above all), and it is kept by the SHA-256 of what was written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from shared.contract.events import MAX_PHOTOS

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # 10 MiB, as sent
MAX_PIXELS = 40_000_000  # decoded: beyond, a decompression bomb (40 MP, ~160 MB RGBA)
DISPLAY_MAX_PX = 1_600  # the longer side of the image shown on a post
THUMB_MAX_PX = 320  # the longer side of the feed's thumbnail
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
STORED_TYPE = "image/jpeg"  # what is served: everything is re-encoded to JPEG

__all__ = ["MAX_PHOTOS", "Processed"]


@dataclass(frozen=True)
class Processed:
    """A photo re-encoded for display and as a thumbnail, with nothing else kept."""

    display: bytes
    thumb: bytes
    width: int
    height: int

    @property
    def photo_id(self) -> str:
        return hashlib.sha256(self.display).hexdigest()
