"""bench/photos: the CPU of processing one uploaded photo (decode, orient, re-encode to
WebP at 1,600 px and a 320 px thumbnail), beside its floor in the same run: decoding
the same file and nothing else, the least any processing must do.

    .venv/bin/python -m bench.photos.run --photos 20

Phone-sized JPEGs (4,032 x 3,024, quality 90, with an EXIF block) made here with noise,
so that they compress like photographs rather than flat colour.
"""

from __future__ import annotations

import io
import os
import time

from PIL import Image

from bench.harness import cli
from bench.harness.stats import ratio
from services.posts.adapters.images import PillowProcessor

PHONE_PX = (4_032, 3_024)


def phone_photo(seed: int) -> bytes:
    noise = Image.frombytes("RGB", PHONE_PX, os.urandom(PHONE_PX[0] * PHONE_PX[1] * 3))
    # Noise blurred a little: closer to a photograph's detail than raw noise.
    image = noise.reduce(8).resize(PHONE_PX, Image.Resampling.BILINEAR)
    exif = Image.Exif()
    exif[0x010F] = f"Phone {seed}"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def cpu_ms_each(work, photos: list[bytes]) -> float:
    started = time.process_time()
    for data in photos:
        work(data)
    return (time.process_time() - started) * 1000 / len(photos)


def decode_only(data: bytes) -> None:
    Image.open(io.BytesIO(data)).load()


async def run(args) -> dict:
    photos = [phone_photo(n) for n in range(args.photos)]
    processor = PillowProcessor()
    sizes = [len(p) for p in photos]
    processed = processor.process(photos[0])
    floor = cpu_ms_each(decode_only, photos)
    ours = cpu_ms_each(processor.process, photos)
    return {
        "photos": len(photos), "pixels": PHONE_PX,
        "mean_upload_kib": round(sum(sizes) / len(sizes) / 1024),
        "stored_kib": {"display": round(len(processed.display) / 1024),
                       "thumb": round(len(processed.thumb) / 1024)},
        "cpu_ms_per_photo": round(ours, 1), "floor_decode_only_cpu_ms": round(floor, 1),
        "ratio": ratio(ours, floor),
    }  # fmt: skip


def options(parser) -> None:
    parser.add_argument("--photos", type=int, default=20)


if __name__ == "__main__":
    cli.main(__doc__, options, run)
