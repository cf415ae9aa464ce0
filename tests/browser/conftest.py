"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser)."""

import contextlib
import os
import shutil
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def _sync_orm_beside_playwright():
    """Playwright's sync API keeps an event loop running in this thread while the browser lives.

    The tests' own ORM calls stay synchronous and never overlap a browser call, so Django's guard
    against ORM calls from async code is lifted for exactly that time.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser(_sync_orm_beside_playwright):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="nl-NL")
    page = context.new_page()
    yield page
    context.close()


class Network:
    """The network between the browser and the live server, which a test can switch off for real.

    Chromium's offline emulation (``context.set_offline``) makes ``navigator.onLine`` false and fails
    the page's own requests, but a page that a service worker controls can still reach the server
    (Chromium's service worker is a target of its own). So the browser talks to the live server
    through this TCP relay, and switching the network off also closes the relay: whatever asks, the
    page, the service worker or a retry, gets no answer, as in a cellar.
    """

    def __init__(self, context, live_server):
        self.context = context
        target = urlsplit(live_server.url)
        self.target = (target.hostname, target.port)
        self.up = True
        self.stalled = False  # connections are taken but nothing comes through: a weak signal
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://localhost:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def off(self):
        self.context.set_offline(True)
        with self.lock:
            self.up = False
            self.stalled = False  # what hung now fails
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self.sockets.clear()

    def stall(self):
        """A signal so weak that nothing comes through, while the browser still thinks it is online."""
        with self.lock:
            self.stalled = True

    def on(self):
        with self.lock:
            self.up = True
            self.stalled = False
            for sock in self.sockets:  # what hung while stalled fails now, and is tried again
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self.sockets.clear()
        self.context.set_offline(False)

    def close(self):
        self.off()
        self.listener.close()

    def _accept(self):
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return  # closed
            with self.lock:
                if not self.up:
                    client.close()
                    continue
                if self.stalled:
                    self.sockets.add(client)  # held open, unanswered, until the signal is back
                    continue
                try:
                    upstream = socket.create_connection(self.target)
                except OSError:
                    client.close()
                    continue
                self.sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source, sink):
        try:
            while data := source.recv(65536):
                while self.stalled:  # a weak signal: what was said on an open connection hangs too
                    time.sleep(0.05)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            with self.lock:
                self.sockets.discard(source)
                self.sockets.discard(sink)


# A tablet in portrait, as surveyors hold it.
TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def tablet(browser):
    """A Dutch touch tablet: one browser context per test."""
    context = browser.new_context(viewport=TABLET, locale="nl-NL", has_touch=True)
    yield context
    context.close()


@pytest.fixture
def network(tablet, live_server):
    """The tablet's connection to the server, to switch off in the cellar."""
    network = Network(tablet, live_server)
    yield network
    network.close()
