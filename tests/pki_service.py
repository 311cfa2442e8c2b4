"""The demo PKI's services (CRL, OCSP responder, time-stamping authority) for the tests: ``manage.py pki_serve``
run as its own process on a free port, as ``./dev.sh serve`` runs it beside the portal."""

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def service_url() -> str:
    """An address for a PKI about to be made: its certificates name it, so it is chosen first."""
    return f"http://127.0.0.1:{free_port()}"


@dataclass
class PkiService:
    url: str
    process: subprocess.Popen[str]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        if self.process.stdout is not None:
            self.process.stdout.close()


def start(directory: Path, url: str) -> PkiService:
    """Serve the PKI declared under ``directory`` at ``url``; returns once the port is bound."""
    env = {**os.environ, "SIGNING_DIR": str(directory), "SIGNING_PKI_URL": url}
    process = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "pki_serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:  # the command prints its address once bound
        if line.startswith("PKI services"):
            return PkiService(url=url, process=process)
    process.wait(timeout=30)
    raise RuntimeError(f"manage.py pki_serve stopped (exit {process.returncode}) before serving {url}")
