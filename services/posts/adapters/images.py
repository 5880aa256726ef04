"""Uploaded images, decoded and re-encoded (as JPEG) with Pillow: nothing of the original
file is kept, so no metadata block (EXIF and its GPS position, XMP, ICC, comments)
survives."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from services.posts.domain.photos import (
    ACCEPTED_FORMATS,
    DISPLAY_MAX_PX,
    MAX_PIXELS,
    THUMB_MAX_PX,
    Processed,
)
from shared.contract.errors import Invalid

JPEG_QUALITY = 85
# Transparent images (a PNG logo) are laid on white: every photo is served as a JPEG,
# 30x cheaper to encode than WebP here (bench/photos) and shown everywhere.
BACKGROUND = (255, 255, 255)


class PillowProcessor:
    def process(self, data: bytes) -> Processed:
        image = _decoded(data)
        # The camera's orientation, applied to the pixels (the EXIF that said it is gone).
        image = ImageOps.exif_transpose(image)
        image = _opaque(image)
        image.thumbnail((DISPLAY_MAX_PX, DISPLAY_MAX_PX), Image.Resampling.LANCZOS)
        thumb = image.copy()  # from the display size: a tenth of the work of the original
        thumb.thumbnail((THUMB_MAX_PX, THUMB_MAX_PX), Image.Resampling.LANCZOS)
        return Processed(_jpeg(image), _jpeg(thumb), image.width, image.height)


def _decoded(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        # Pillow warns between its limit and twice it; past ours is refused here anyway.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise Invalid(f"{image.format} is not accepted: JPEG, PNG or WebP",
                              field="file", code="not_an_image")  # fmt: skip
            if image.width * image.height > MAX_PIXELS:
                raise Invalid("the image is too large once decoded", field="file",
                              code="image_bomb", params={"max": MAX_PIXELS})  # fmt: skip
            # A JPEG is decoded straight at the smallest scale (1/2, 1/4, 1/8) that still
            # covers the display size: most of the cost of a phone's 12 MP photo saved.
            image.draft("RGB", _display_size(image.size))
            image.load()  # a truncated or corrupt file fails here, not later
        except Image.DecompressionBombError as exc:
            raise Invalid("the image is too large once decoded", field="file",
                          code="image_bomb", params={"max": MAX_PIXELS}) from exc  # fmt: skip
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise Invalid("the file is not an image that can be read", field="file",
                          code="not_an_image") from exc  # fmt: skip
    return image


def _display_size(size: tuple[int, int]) -> tuple[int, int]:
    scale = min(1.0, DISPLAY_MAX_PX / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _opaque(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, BACKGROUND)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # No exif=, icc_profile= or comment=: the new file carries pixels only.
    image.save(out, "JPEG", quality=JPEG_QUALITY, progressive=True)
    return out.getvalue()
