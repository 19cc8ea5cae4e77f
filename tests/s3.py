"""moto's standalone S3 server for the tests: a real HTTP S3 endpoint.

``ThreadedMotoServer`` serves moto's S3 implementation over HTTP on a free
loopback port; the application reaches it through its ordinary aiobotocore
client, the tests read raw objects back with plain boto3. moto implements the
S3 rules the storage code relies on: parts of a multipart upload other than
the last must be at least 5 MiB (EntityTooSmall on completion), an aborted
upload's parts are gone (NoSuchUpload), unfinished uploads are listed by
ListMultipartUploads, a missing key is NoSuchKey, and bucket names must be
valid (3 to 63 characters).
"""

from __future__ import annotations

import socket
import uuid
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class MotoS3:
    def __init__(self) -> None:
        self.port = free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> MotoS3:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def client(self) -> Any:
        """A plain boto3 client: reads what is really stored."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def new_bucket(self) -> str:
        name = f"tb-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name

    def env(self, bucket: str) -> dict[str, str]:
        """The settings a server process needs for this bucket."""
        return {
            "STORAGE_BACKEND": "s3",
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_BUCKET": bucket,
            "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }
