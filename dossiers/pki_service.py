"""The demo PKI's services over HTTP: certomancer's Animator answering CRL, OCSP and time-stamp requests.

The Animator is built from ``SIGNING_DIR/certomancer.yml`` and built again whenever that file changes (an agency
issued or revoked), so the service always answers for the certificates the portal exported. Its web pages are
off (they would hand out every private key as PKCS#12) and so is its test-only header that sets the clock.
"""

import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import CertomancerConfig
from werkzeug.serving import make_server

log = logging.getLogger(__name__)


class ReloadingAnimator:
    """A WSGI app: certomancer's Animator for the configuration at ``config``, as the file now reads."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self._seen: tuple[int, int] | None = None
        self._animator: Animator | None = None

    def _current(self) -> Animator:
        stat = os.stat(self.config)
        seen = (stat.st_mtime_ns, stat.st_ino)  # the portal replaces the file (a new inode) on each change
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
        response: Iterable[bytes] = animator(environ, start_response)
        return response


def serve(config: Path, *, host: str, port: int, ready: Callable[[int], None] | None = None) -> None:
    """Serve until interrupted (one thread per request: signers may ask at once); ``ready`` is told the port
    once it is bound (the test fixtures wait for that line, not for a time)."""
    server = make_server(host, port, ReloadingAnimator(config), threaded=True)
    if ready is not None:
        ready(server.port)
    server.serve_forever()
