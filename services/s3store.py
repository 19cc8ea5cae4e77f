"""The S3 backend: any S3-compatible store (AWS S3, MinIO, Ceph RGW, Garage).

Client: ``aiobotocore`` (the asyncio port of botocore, maintained by aio-libs;
the core under aioboto3). Chosen because it is the full S3 API rather than an
abstraction over it: multipart uploads are explicit (create, upload part,
complete, and ABORT on any failure or cancellation), interrupted uploads can be
listed and aborted by the clean-up (``ListMultipartUploads``, which obstore's
object-store abstraction does not offer), and it is the same botocore that AWS
maintains and every S3-compatible server tests against. Bodies are streamed
(``StreamingBody.iter_chunks``), so nothing is held whole.

Compatibility: path-style addressing when ``S3_ENDPOINT_URL`` is set (MinIO,
Ceph and Garage serve buckets by path), and request checksums only where S3
requires them (newer botocore sends CRC trailers by default, which several
S3-compatible servers refuse).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import aiohttp
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from services.blobstore import BlobInfo, MissingObject, StorageUnavailable, check_key
from settings import Settings

log = logging.getLogger("therapybridge.storage")

# S3 parts must be at least 5 MiB (but the last); 8 MiB of ciphertext per part
PART_SIZE = 8 * 1024 * 1024
READ_SIZE = 1024 * 1024
MISSING = {"NoSuchKey", "404", "NotFound"}
MISSING_BUCKET = {"NoSuchBucket", "404", "NotFound"}


def _unavailable(exc: Exception) -> StorageUnavailable:
    # botocore messages carry bucket and key names, never file contents
    code = (
        exc.response.get("Error", {}).get("Code")
        if isinstance(exc, ClientError)
        else None
    )
    return StorageUnavailable(code or type(exc).__name__)


class S3Store:
    name = "s3"

    def __init__(self, settings: Settings) -> None:
        self.bucket = settings.s3_bucket or ""
        self.region = settings.s3_region
        secret = settings.s3_secret_access_key
        self._kwargs: dict[str, Any] = {
            "region_name": settings.s3_region,
            "endpoint_url": settings.s3_endpoint_url or None,
            "aws_access_key_id": settings.s3_access_key_id or None,
            "aws_secret_access_key": secret.get_secret_value() if secret else None,
            "config": AioConfig(
                connect_timeout=settings.s3_connect_timeout,
                read_timeout=60,
                retries={"max_attempts": 2, "mode": "standard"},
                s3={"addressing_style": "path" if settings.s3_endpoint_url else "auto"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                max_pool_connections=20,
            ),
        }
        self._client: Any = None
        self._context: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None

    async def _s3(self) -> Any:
        """One client per process and event loop (its connection pool)."""
        loop = asyncio.get_running_loop()
        if self._client is not None and self._loop is loop:
            return self._client
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop, self._client = asyncio.Lock(), loop, None
        async with self._lock:  # concurrent first requests share one client
            if self._client is None:
                self._context = get_session().create_client("s3", **self._kwargs)
                self._client = await self._context.__aenter__()
        return self._client

    async def check(self) -> None:
        try:
            s3 = await self._s3()
            await asyncio.wait_for(s3.head_bucket(Bucket=self.bucket), timeout=5)
        except (BotoCoreError, ClientError, TimeoutError) as exc:
            raise _unavailable(exc) from None

    async def prepare(self) -> None:
        """Create the bucket when it does not exist (a fresh MinIO or Garage);
        an existing bucket is left as it is."""
        try:
            s3 = await self._s3()
            try:
                await s3.head_bucket(Bucket=self.bucket)
                return
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in MISSING_BUCKET:
                    raise
            extra: dict[str, Any] = {}
            if self.region != "us-east-1":
                extra["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
            await s3.create_bucket(Bucket=self.bucket, **extra)
            log.info("created the storage bucket")
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc) from None

    @contextlib.asynccontextmanager
    async def writer(self, key: str) -> AsyncIterator[_PartWriter]:
        check_key(key)
        try:
            s3 = await self._s3()
            started = await s3.create_multipart_upload(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc) from None
        parts = _PartWriter(s3, self.bucket, key, started["UploadId"])
        try:
            yield parts
            await parts.complete()
        except BaseException:
            # failure, cancellation or a size limit: no part may stay behind
            await parts.abort()
            raise

    async def read(self, key: str) -> AsyncIterator[bytes]:
        check_key(key)
        try:
            s3 = await self._s3()
            response = await s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING:
                raise MissingObject(key) from None
            raise _unavailable(exc) from None
        except BotoCoreError as exc:
            raise _unavailable(exc) from None
        body = response["Body"]
        try:
            async for piece in body.iter_chunks(READ_SIZE):
                yield piece
        except (BotoCoreError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            # the connection broke mid-object: the caller fails, it never
            # treats the bytes so far as the whole file
            raise _unavailable(exc) from None
        finally:
            body.close()

    async def head(self, key: str, size: int) -> bytes | None:
        check_key(key)
        try:
            s3 = await self._s3()
            response = await s3.get_object(
                Bucket=self.bucket, Key=key, Range=f"bytes=0-{size - 1}"
            )
            async with response["Body"] as body:
                return bytes(await body.read())
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING | {"InvalidRange"}:
                return None
            raise _unavailable(exc) from None
        except BotoCoreError as exc:
            raise _unavailable(exc) from None

    async def size(self, key: str) -> int | None:
        check_key(key)
        try:
            s3 = await self._s3()
            response = await s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise _unavailable(exc) from None
        except BotoCoreError as exc:
            raise _unavailable(exc) from None
        return int(response["ContentLength"])

    async def delete(self, key: str) -> None:
        check_key(key)
        try:
            s3 = await self._s3()
            await s3.delete_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc) from None

    async def list(self, prefix: str) -> list[BlobInfo]:
        found: list[BlobInfo] = []
        try:
            s3 = await self._s3()
            pages = s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
            async for page in pages:
                for obj in page.get("Contents", []):
                    found.append(
                        BlobInfo(obj["Key"], int(obj["Size"]), obj["LastModified"])
                    )
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc) from None
        return found

    async def abort_stale(self, prefix: str, before: datetime) -> int:
        aborted = 0
        try:
            s3 = await self._s3()
            pages = s3.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
            async for page in pages:
                for upload in page.get("Uploads", []):
                    if upload["Initiated"] < before:
                        await s3.abort_multipart_upload(
                            Bucket=self.bucket,
                            Key=upload["Key"],
                            UploadId=upload["UploadId"],
                        )
                        aborted += 1
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc) from None
        return aborted

    async def close(self) -> None:
        if self._context is not None and self._loop is asyncio.get_running_loop():
            with contextlib.suppress(Exception):
                await self._context.__aexit__(None, None, None)
        self._client = self._context = self._loop = self._lock = None


class _PartWriter:
    """Buffers ciphertext into parts of PART_SIZE and uploads each as it fills."""

    def __init__(self, s3: Any, bucket: str, key: str, upload_id: str) -> None:
        self._s3 = s3
        self._args = {"Bucket": bucket, "Key": key, "UploadId": upload_id}
        self._buf = bytearray()
        self._parts: list[dict[str, Any]] = []

    async def write(self, data: bytes) -> None:
        self._buf += data
        if len(self._buf) >= PART_SIZE:
            await self._flush()

    async def _flush(self) -> None:
        body = bytes(self._buf)
        self._buf.clear()
        number = len(self._parts) + 1
        try:
            response = await self._s3.upload_part(
                PartNumber=number, Body=body, **self._args
            )
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc) from None
        self._parts.append({"PartNumber": number, "ETag": response["ETag"]})

    async def complete(self) -> None:
        if self._buf or not self._parts:
            await self._flush()
        try:
            await self._s3.complete_multipart_upload(
                MultipartUpload={"Parts": self._parts}, **self._args
            )
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc) from None

    async def abort(self) -> None:
        try:
            # shielded: a second cancellation must not leave the parts stored
            await asyncio.shield(self._s3.abort_multipart_upload(**self._args))
        except Exception as exc:  # the clean-up aborts what is left over
            log.warning("could not abort a multipart upload: %s", type(exc).__name__)
