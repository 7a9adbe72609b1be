"""Stored files in an S3 bucket (``FILE_STORAGE=s3://bucket/prefix``): AWS, or any
S3-compatible server (MinIO, Ceph, Garage …) named by ``S3_ENDPOINT_URL``.

Settings (``CONSULT_`` in the environment): ``S3_ENDPOINT_URL`` (empty for AWS),
``S3_ACCESS_KEY_ID``, ``S3_SECRET_ACCESS_KEY``, ``S3_REGION``. A stored file becomes visible
only when its upload completes (S3's own rule), so readers never see half a file. Unlike the
database backend, a save or delete takes effect at once, not at the caller's commit.
"""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import urlsplit

from consult.storage.backend import Backend
from consult.storage.backend import FileMissing

#: Parts of a multipart upload; S3 wants at least 5 MiB, and memory stays near this per upload.
PART_BYTES = 8 * 1024 * 1024


def _missing(error) -> bool:
    return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


class S3Backend(Backend):
    def __init__(self, bucket: str, prefix: str, client):
        self.bucket = bucket
        self.prefix = prefix
        self.client = client

    @classmethod
    def from_app(cls, app, setting):
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        parts = urlsplit(setting)
        if parts.scheme != "s3" or not parts.netloc:
            raise RuntimeError(f"FILE_STORAGE={setting!r}: write s3://bucket or s3://bucket/prefix")
        prefix = parts.path.strip("/")
        client = boto3.client(
            "s3",
            endpoint_url=app.config.get("S3_ENDPOINT_URL") or None,
            aws_access_key_id=app.config.get("S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=app.config.get("S3_SECRET_ACCESS_KEY") or None,
            region_name=app.config.get("S3_REGION") or None,
            config=Config(retries={"mode": "standard"}, s3={"addressing_style": "path"}),
        )
        backend = cls(parts.netloc, f"{prefix}/" if prefix else "", client)
        backend.transfer = TransferConfig(
            multipart_threshold=PART_BYTES, multipart_chunksize=PART_BYTES, use_threads=False
        )
        return backend

    transfer = None

    def _name(self, key: str) -> str:
        return self.prefix + key

    def save(self, key, source):
        counted = _Counting(source)
        self.client.upload_fileobj(counted, self.bucket, self._name(key), Config=self.transfer)
        return counted.count

    @contextmanager
    def open(self, key):
        from botocore.exceptions import ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]
        except ClientError as error:
            if _missing(error):
                raise FileMissing(key) from None
            raise
        try:
            yield body
        finally:
            body.close()

    def size(self, key):
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if _missing(error):
                return None
            raise
        return head["ContentLength"]

    def delete(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def keys(self, prefix):
        found = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._name(prefix)
        )
        for page in pages:
            found += [item["Key"].removeprefix(self.prefix) for item in page.get("Contents", [])]
        return sorted(found)


class _Counting:
    """A read-only file that counts the bytes read through it."""

    def __init__(self, source):
        self.source = source
        self.count = 0

    def read(self, size=-1):
        data = self.source.read(size)
        self.count += len(data)
        return data
