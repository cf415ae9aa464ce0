import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from surveys.photos import process_photo


def upload(data: bytes, name="foto.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def image_bytes(fmt="JPEG", size=(400, 200), exif=None, **kwargs):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 40, 40))
    if exif is not None:
        kwargs["exif"] = exif
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def located_and_rotated_exif():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the camera was held upright
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (52.0, 22.0, 1.5), 3: "E", 4: (4.0, 53.0, 2.0)}
    return exif


def test_location_is_removed_and_orientation_applied():
    result = process_photo(upload(image_bytes(exif=located_and_rotated_exif())))
    stored = Image.open(io.BytesIO(result.content.read()))
    assert stored.format == "JPEG"
    assert stored.size == (200, 400)  # turned upright
    assert (result.width, result.height) == (200, 400)
    exif = stored.getexif()
    assert ExifTags.IFD.GPSInfo not in exif
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)


@pytest.mark.parametrize(("fmt", "content_type"), [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_are_accepted(fmt, content_type):
    result = process_photo(upload(image_bytes(fmt), name=f"foto.{fmt.lower()}", content_type=content_type))
    assert result.content_type == content_type
    assert Image.open(io.BytesIO(result.content.read())).format == fmt


def test_large_photos_are_scaled_down(settings):
    settings.SURVEY_PHOTO_MAX_SIDE = 1000
    result = process_photo(upload(image_bytes(size=(4000, 3000))))
    assert (result.width, result.height) == (1000, 750)


def test_too_large_a_file_is_refused(settings):
    settings.SURVEY_PHOTO_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        process_photo(upload(image_bytes(size=(800, 800))))
    assert error.value.code == "too_large"


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7 this is a document",
        b"MZ\x90\x00 an executable",
        b"",
        image_bytes()[:200],  # a truncated photo
    ],
)
def test_anything_that_is_not_a_photo_is_refused(data):
    with pytest.raises(ValidationError) as error:
        process_photo(upload(data))
    assert error.value.code == "not_an_image"


def test_an_image_of_another_type_is_refused():
    gif = image_bytes("GIF")
    with pytest.raises(ValidationError) as error:
        process_photo(upload(gif, name="foto.jpg"))
    assert error.value.code == "wrong_type"
