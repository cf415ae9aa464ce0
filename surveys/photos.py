"""Survey photos: only real JPEG, PNG or WebP images; scaled down, turned upright, location removed.

The file's content decides, not its name or the browser's content type: Pillow must recognise and
verify it. The stored copy is re-encoded from the pixels alone, so no EXIF (GPS position, camera
serial, ...) or PNG text chunk survives.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


@dataclass(frozen=True)
class ProcessedPhoto:
    content: ContentFile
    width: int
    height: int
    content_type: str


def process_photo(upload, *, name: str = "photo") -> ProcessedPhoto:
    """Check and clean one uploaded photo; raise a clear, translated ValidationError otherwise."""
    max_bytes = settings.SURVEY_PHOTO_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("The photo is too large (at most %(size)d MB).") % {"size": max_bytes // (1024 * 1024)},
            code="too_large",
        )
    not_an_image = ValidationError(
        _("This file is not a photo. Use a JPEG, PNG or WebP image."), code="not_an_image"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            probe = Image.open(upload)
            image_format = probe.format
            probe.verify()  # a truncated or forged file fails here
            upload.seek(0)
            image = Image.open(upload)
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise not_an_image from exc
    if image_format not in FORMATS:
        raise ValidationError(
            _("Photos must be JPEG, PNG or WebP; this is %(format)s.") % {"format": image_format},
            code="wrong_type",
        )
    image = ImageOps.exif_transpose(image)  # upright as the tablet held it
    longest = settings.SURVEY_PHOTO_MAX_SIDE
    if max(image.size) > longest:
        image.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    content_type, extension = FORMATS[image_format]
    out = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif image_format == "WEBP":
        image.save(out, "WEBP", quality=85)
    else:
        image.save(out, "PNG", optimize=True)
    return ProcessedPhoto(
        content=ContentFile(out.getvalue(), name=f"{name}.{extension}"),
        width=image.width,
        height=image.height,
        content_type=content_type,
    )


def store_photo(photo, upload, *, name: str, client_id=None):
    """Check and clean ``upload`` and save it as the unsaved ``photo`` (a ``DevicePhoto`` row). When the
    same ``client_id`` arrived twice at once, the first is kept: returns (the stored photo, whether this
    call stored it)."""
    from django.db import IntegrityError, transaction

    processed = process_photo(upload, name=name)
    if client_id:
        photo.client_id = client_id
    photo.image.save(processed.content.name, processed.content, save=False)
    try:
        with transaction.atomic():
            photo.save()
    except IntegrityError:
        photo.image.delete(save=False)  # this copy's file goes; the first one stays
        return type(photo).objects.get(client_id=client_id), False
    return photo, True
