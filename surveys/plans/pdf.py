"""HTML to PDF with WeasyPrint, reading images from Django's storage.

WeasyPrint is imported lazily: it loads Pango and fonts, which web requests that never make a PDF
should not pay for. Images are passed as ``file://`` URLs when the storage keeps files on a local
disk (a FileSystemStorage: WeasyPrint reads them directly) and as ``storage:<name>`` otherwise,
which the fetcher below reads through ``storage.open()`` (shared or object storage in production).
The fetcher refuses every other protocol and every local file outside the storage and the fonts:
the plan's HTML is ours, but it shows text typed by people, and a PDF renderer must never be a way
to read the server's files or reach the network.
"""

import mimetypes
from pathlib import Path
from urllib.parse import quote, unquote
from urllib.request import url2pathname

from django.core.files.storage import FileSystemStorage, default_storage

STORAGE_SCHEME = "storage"
FONT_DIRS = ("/usr/share/fonts",)


def image_url(name: str, storage=None) -> str:
    """The URL under which the PDF renderer reads the stored file ``name``."""
    storage = storage or default_storage
    if isinstance(storage, FileSystemStorage):
        return Path(storage.path(name)).resolve().as_uri()
    return f"{STORAGE_SCHEME}:{quote(name)}"


def _allowed_roots(storage) -> list[Path]:
    roots = [Path(directory).resolve() for directory in FONT_DIRS]
    if isinstance(storage, FileSystemStorage):
        roots.append(Path(storage.path("")).resolve())
    return roots


def url_fetcher(storage=None):
    """A WeasyPrint URL fetcher for stored files; nothing from the network."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    storage = storage or default_storage
    roots = _allowed_roots(storage)

    class StorageURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == STORAGE_SCHEME:
                name = unquote(url.split(":", 1)[1])
                with storage.open(name, "rb") as stored:
                    body = stored.read()
                content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body, {"Content-Type": content_type})
            if scheme == "file":
                path = Path(url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
                if not any(path.is_relative_to(root) for root in roots):
                    raise ValueError(f"Not a file the plan may read: {url}")
                return super().fetch(url, headers)
            raise ValueError(f"The plan reads stored files only: {url}")

    return StorageURLFetcher(allowed_protocols={"file", STORAGE_SCHEME}, fail_on_errors=True)


class PlanImageMissing(Exception):
    """An image of the plan could not be read; the plan is not made rather than made with a hole."""


def html_to_pdf(html: str, *, storage=None, cache: dict | None = None) -> bytes:
    """Render HTML to PDF bytes."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    document = weasyprint.HTML(string=html, url_fetcher=url_fetcher(storage))
    try:
        return document.write_pdf(cache=cache)
    except FatalURLFetchingError as exc:  # a BaseException: turn it into an ordinary error
        raise PlanImageMissing(str(exc)) from exc.__cause__
