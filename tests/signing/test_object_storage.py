"""Documents and signed results on an S3-compatible store (``STORAGE_URL``), against a real one: moto's server
mode, started here on a port of its own. Objects are private: the store refuses an unsigned read; the portal
serves them (policy checked, read logged), byte for byte."""

import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage

from dossiers.models import Document, Result
from portal import env
from tests.dossiers.conftest import PDF_BYTES, multipart
from tests.factories import DossierFactory
from tests.signing.conftest import approve, result_pdf

pytestmark = pytest.mark.django_db
BUCKET = "portal-documents"
KEYS = {"STORAGE_ACCESS_KEY": "test-access", "STORAGE_SECRET_KEY": "test-secret"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """moto's S3-compatible server, in a process of its own, for this module's tests."""
    port = _free_port()
    binary = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [binary, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    for line in process.stderr:  # werkzeug says when it listens
        if b"Running on" in line:
            break
    else:
        raise RuntimeError("moto_server did not start")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture
def bucket(s3_server: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The portal's default storage on a fresh bucket of the server, configured as STORAGE_URL would."""
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(
        "STORAGE_URL", f"s3://{BUCKET}/province?endpoint_url={s3_server}&region_name=us-east-1"
    )
    options = env.storage("STORAGE_URL")
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id=KEYS["STORAGE_ACCESS_KEY"],
        aws_secret_access_key=KEYS["STORAGE_SECRET_KEY"],
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _stored(client: Any) -> dict[str, bytes]:
    keys = [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    return {key: client.get_object(Bucket=BUCKET, Key=key)["Body"].read() for key in keys}


def test_an_uploaded_paper_goes_to_the_store_and_comes_back_through_the_portal_only(
    bucket: Any, api: Any, citizen: Any, citizen2: Any, version_a: Any, settings: Any, tmp_path: Any
) -> None:
    draft = DossierFactory(version=version_a, applicant=citizen)
    component = version_a.components.get(required=True)

    uploaded = api(citizen).post(
        f"/api/v1/dossiers/{draft.pk}/documents/",
        multipart(component, "to-khai.pdf", PDF_BYTES),
        format="multipart",
    )

    assert uploaded.status_code == 201, uploaded.content
    document = Document.objects.get(dossier=draft)
    stored = _stored(bucket)
    assert stored == {f"province/{document.file.name}": PDF_BYTES}
    assert not (tmp_path / "media").exists() or not any(
        (tmp_path / "media").rglob("*.pdf")
    )  # not on the disk
    url = f"/api/v1/dossiers/{draft.pk}/documents/{document.pk}/"
    downloaded = api(citizen).get(url)
    assert downloaded.status_code == 200 and b"".join(downloaded.streaming_content) == PDF_BYTES
    assert api(citizen2).get(url).status_code == 404  # another citizen: as if it did not exist
    # The store itself gives nothing to a plain request; only an address the portal signs opens it, briefly.
    plain = requests.get(
        f"{settings.STORAGES['default']['OPTIONS']['endpoint_url']}/{BUCKET}/province/{document.file.name}",
        timeout=10,
    )
    assert plain.status_code == 403
    signed = default_storage.url(document.file.name)
    assert "X-Amz-Expires=300" in signed and requests.get(signed, timeout=10).content == PDF_BYTES


def test_a_signed_result_is_kept_in_the_store_and_handed_to_the_applicant(
    bucket: Any,
    assessed: Any,
    approver: Any,
    eager: None,
    api: Any,
    citizen: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    approved = approve(assessed, approver, django_capture_on_commit_callbacks)

    result = Result.objects.get(dossier=approved)
    stored = _stored(bucket)
    assert f"province/{result.file.name}" in stored
    signed = result_pdf(approved)
    assert stored[f"province/{result.file.name}"] == signed and signed.startswith(b"%PDF")
    downloaded = api(citizen).get(f"/api/v1/dossiers/{approved.pk}/result/")
    assert downloaded.status_code == 200 and b"".join(downloaded.streaming_content) == signed


def test_readiness_asks_the_store(bucket: Any, client: Any, tmp_path: Any) -> None:
    assert client.get("/readyz").json()["checks"]["storage"] == "ok"
    assert not Path("province").exists()  # asked the store, made no folder of its prefix on the disk

    bucket.delete_bucket(Bucket=BUCKET)  # the store's bucket gone: not ready
    try:
        assert client.get("/readyz").json()["checks"]["storage"] == "unavailable"
    finally:
        bucket.create_bucket(Bucket=BUCKET)


@pytest.mark.parametrize(
    "value",
    ["http://bucket", "s3://", "s3://bucket?endpoint_url=ftp://x", "s3://bucket?acl=public-read"],
)
def test_a_bad_storage_url_is_refused_naming_it(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_URL", value)
    with pytest.raises(ImproperlyConfigured, match="STORAGE_URL"):
        env.storage("STORAGE_URL")
