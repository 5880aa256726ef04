"""A post's photos through the API, with Pillow and the filesystem: re-encoded with no
metadata left (a GPS position in the EXIF above all), a thumbnail, at most four, and
every refusal a 4xx with its reason and nothing left behind."""

from __future__ import annotations

import io

from PIL import Image

from tests.integration.posts.conftest import post_body

GPS_IFD = 0x8825  # the EXIF pointer to the GPS block
LATITUDE_REF, LATITUDE = 1, 2


def jpeg_with_gps(size=(2400, 1800), colour=(200, 40, 40)) -> bytes:
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif.get_ifd(GPS_IFD).update({LATITUDE_REF: "N", LATITUDE: (48.0, 51.0, 24.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", kind: str = "image/jpeg") -> dict:
    return {"file": (name, data, kind)}


async def test_a_photo_is_re_encoded_with_no_metadata_and_a_thumbnail(posts):
    author = await posts.member()
    post_id = (await posts.client.post("/posts", json=post_body(), headers=author.auth)).json()[
        "id"
    ]
    sent = jpeg_with_gps()
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(GPS_IFD)  # the original has it

    added = await posts.client.post(f"/posts/{post_id}/photos", files=upload(sent),
                                    headers=author.auth)  # fmt: skip
    assert added.status_code == 201, added.text
    (photo_id,) = added.json()["photos"]
    shown = await posts.client.get(f"/photos/{photo_id}")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert shown.headers["x-content-type-options"] == "nosniff"
    assert "immutable" in shown.headers["cache-control"]
    image = Image.open(io.BytesIO(shown.content))
    assert image.format == "JPEG" and max(image.size) == 1600
    assert dict(image.getexif()) == {}
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
    thumb = Image.open(io.BytesIO((await posts.client.get(f"/photos/{photo_id}/thumb")).content))
    assert max(thumb.size) == 320 and dict(thumb.getexif()) == {}
    # The public view and the event carry the reference, never the image.
    assert (await posts.client.get(f"/posts/{post_id}")).json()["photos"] == [photo_id]
    assert (await posts.client.get(f"/photos/{'0' * 64}")).status_code == 404


async def test_what_is_not_an_image_or_too_much_is_refused_with_its_reason(posts):
    author, other = await posts.member(), await posts.member()
    post_id = (await posts.client.post("/posts", json=post_body(), headers=author.auth)).json()[
        "id"
    ]

    def photos_dir_files() -> list:
        return [p for p in posts.settings.photos_path.rglob("*") if p.is_file()]

    refusals = {
        "not_an_image": b"%PDF-1.7 not an image",
        "truncated": jpeg_with_gps()[:5_000],
    }
    for name, data in refusals.items():
        refused = await posts.client.post(f"/posts/{post_id}/photos", files=upload(data),
                                          headers=author.auth)  # fmt: skip
        assert refused.status_code == 422, name
        assert refused.json()["detail"]["code"] == "not_an_image", name
    # A decompression bomb: 30,000 x 30,000 pixels of one colour, a few KiB as a PNG.
    bomb = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(bomb, "PNG")
    refused = await posts.client.post(f"/posts/{post_id}/photos",
                                      files=upload(bomb.getvalue(), "b.png", "image/png"),
                                      headers=author.auth)  # fmt: skip
    assert refused.status_code == 422 and refused.json()["detail"]["code"] == "image_bomb"
    too_big = b"\xff\xd8" + b"\0" * (10 * 1024 * 1024 + 10)
    refused = await posts.client.post(f"/posts/{post_id}/photos", files=upload(too_big),
                                      headers=author.auth)  # fmt: skip
    assert refused.status_code == 422 and refused.json()["detail"]["code"] == "image_too_big"
    assert photos_dir_files() == []  # nothing half-stored
    not_hers = await posts.client.post(f"/posts/{post_id}/photos", files=upload(jpeg_with_gps()),
                                       headers=other.auth)  # fmt: skip
    assert not_hers.status_code == 403

    for n in range(4):
        image = jpeg_with_gps(size=(64, 64), colour=(n * 40, 10, 10))
        added = await posts.client.post(f"/posts/{post_id}/photos", files=upload(image),
                                        headers=author.auth)  # fmt: skip
        assert added.status_code == 201, added.text
    fifth = await posts.client.post(f"/posts/{post_id}/photos",
                                    files=upload(jpeg_with_gps(size=(64, 64))),
                                    headers=author.auth)  # fmt: skip
    assert fifth.status_code == 409 and fifth.json()["detail"]["code"] == "too_many_photos"
    first = added.json()["photos"][0]
    removed = await posts.client.delete(f"/posts/{post_id}/photos/{first}", headers=author.auth)
    assert removed.status_code == 200 and first not in removed.json()["photos"]
