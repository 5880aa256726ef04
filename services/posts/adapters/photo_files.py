"""Photos as files, by id: ``<root>/<id[:2]>/<id>.jpg`` and ``<id>.thumb.jpg``. Written
to a temporary name and renamed, so a reader never sees half a file, and an upload that
fails leaves nothing behind. A volume in compose and Kubernetes (docs/operations.md)."""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from pathlib import Path

from services.posts.domain.photos import Processed

PHOTO_ID = re.compile(r"^[0-9a-f]{64}$")


class FilesystemPhotoStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, photo_id: str, thumb: bool) -> Path:
        return self.root / photo_id[:2] / f"{photo_id}{'.thumb' if thumb else ''}.jpg"

    async def put(self, photo: Processed) -> None:
        await asyncio.to_thread(self._put, photo)

    def _put(self, photo: Processed) -> None:
        for thumb, body in ((False, photo.display), (True, photo.thumb)):
            path = self._path(photo.photo_id, thumb)
            if path.exists():
                continue  # the same image, uploaded before
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(body)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise

    async def get(self, photo_id: str, thumb: bool = False) -> bytes | None:
        if not PHOTO_ID.match(photo_id):
            return None
        path = self._path(photo_id, thumb)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None
