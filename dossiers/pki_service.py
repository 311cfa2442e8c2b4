"""The demo PKI's services over HTTP: certomancer's Animator answering CRL, OCSP and time-stamp requests.

The Animator is built from ``SIGNING_DIR/certomancer.yml`` and built again whenever that file changes (an agency
issued or revoked), so the service always answers for the certificates the portal exported. Its web pages are
off (they would hand out every private key as PKCS#12) and so is its test-only header that sets the clock.
"""

import base64
import binascii
import io
import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import CertomancerConfig
from werkzeug.serving import make_server

log = logging.getLogger(__name__)
# RFC 6960 A.1: an OCSP request may also come as GET {responder}/{url-encoded base64 of the DER request}, which
# NSS (poppler's pdfsig, Firefox) uses for small requests; certomancer answers POST only.
_OCSP_GET = re.compile(r"^(/[^/]+/ocsp/[^/]+)/(.+)$")


def _ocsp_get_as_post(environ: dict[str, Any]) -> dict[str, Any]:
    """The same OCSP request as the POST certomancer's Animator takes (other requests unchanged)."""
    match = _OCSP_GET.match(environ.get("PATH_INFO", ""))
    if environ.get("REQUEST_METHOD") != "GET" or match is None:
        return environ
    try:
        body = base64.b64decode(unquote(match.group(2)), validate=True)
    except (binascii.Error, ValueError):
        return environ
    return {
        **environ,
        "REQUEST_METHOD": "POST",
        "PATH_INFO": match.group(1),
        "CONTENT_TYPE": "application/ocsp-request",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }


class ReloadingAnimator:
    """A WSGI app: certomancer's Animator for the configuration at ``config``, as the file now reads."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self._seen: bytes | None = None
        self._animator: Animator | None = None

    def _current(self) -> Animator:
        # The file's bytes, not its time or inode: two changes within one clock tick, or a reused inode, would
        # otherwise go unseen (a few kilobytes, read per request).
        seen = self.config.read_bytes()
        if self._animator is None or seen != self._seen:
            loaded = CertomancerConfig.from_file(str(self.config), key_search_dir=str(self.config.parent))
            self._animator = Animator(
                AnimatorArchStore(loaded.pki_archs), with_web_ui=False, allow_time_override=False
            )
            self._seen = seen
            log.info("PKI configuration %s loaded", self.config)
        return self._animator

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        animator = self._current()
        response: Iterable[bytes] = animator(_ocsp_get_as_post(environ), start_response)
        return response


def serve(config: Path, *, host: str, port: int, ready: Callable[[int], None] | None = None) -> None:
    """Serve until interrupted (one thread per request: signers may ask at once); ``ready`` is told the port
    once it is bound (the test fixtures wait for that line, not for a time)."""
    server = make_server(host, port, ReloadingAnimator(config), threaded=True)
    if ready is not None:
        ready(server.port)
    server.serve_forever()
