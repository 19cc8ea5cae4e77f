"""The stored-file format: chunks authenticated one by one, order and end bound."""

from __future__ import annotations

import os

import pytest

from services import filecrypt as fc

C = fc.CHUNK
SIZES = [0, 1, C - 1, C, C + 1, 3 * C + 7]


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_and_sizes(size: int) -> None:
    key = fc.new_file_key()
    data = os.urandom(size)

    blob = fc.encrypt_all(key, "audio/a.wav", data)

    assert fc.is_encrypted(blob)
    assert len(blob) == fc.ciphertext_size(size)
    assert fc.plaintext_size(len(blob)) == size
    assert fc.decrypt_all(key, "audio/a.wav", blob) == data


def test_pieces_of_any_size_give_the_same_plaintext() -> None:
    key = fc.new_file_key()
    data = os.urandom(2 * C + 100)
    blob = fc.encrypt_all(key, "k/x", data)
    dec = fc.Decryptor(key, "k/x")
    out = b"".join(
        plain
        for i in range(0, len(blob), 7777)
        for plain in dec.update(blob[i : i + 7777])
    )
    assert out + b"".join(dec.finish()) == data


def _chunks(blob: bytes) -> list[bytes]:
    body = blob[len(fc.HEADER) :]
    step = C + fc.OVERHEAD
    return [body[i : i + step] for i in range(0, len(body), step)]


def _damaged(key: str, blob: bytes, storage_key: str = "k/x") -> bool:
    try:
        fc.decrypt_all(key, storage_key, blob)
    except fc.DamagedFile:
        return True
    return False


def test_truncation_reordering_tampering_and_other_objects_are_detected() -> None:
    key = fc.new_file_key()
    data = os.urandom(3 * C + 10)
    blob = fc.encrypt_all(key, "k/x", data)
    chunks = _chunks(blob)
    head = fc.HEADER

    # cut at every chunk boundary, inside a chunk, and inside the header
    for n in range(len(chunks)):
        assert _damaged(key, head + b"".join(chunks[:n]))
    assert _damaged(key, blob[:-1])
    assert _damaged(key, blob[:5])
    # two chunks swapped, one flipped bit, bytes appended
    assert _damaged(key, head + chunks[1] + chunks[0] + b"".join(chunks[2:]))
    flipped = bytearray(blob)
    flipped[len(head) + C // 2] ^= 1
    assert _damaged(key, bytes(flipped))
    assert _damaged(key, blob + b"x")
    # the same bytes under another storage key, or opened with another key
    assert _damaged(key, blob, storage_key="k/y")
    assert _damaged(fc.new_file_key(), blob)
    # a full-size last chunk is still the last one: dropping what follows a
    # full middle chunk is caught
    exact = fc.encrypt_all(key, "k/x", os.urandom(2 * C))
    assert len(_chunks(exact)) == 2
    assert _damaged(key, head + _chunks(exact)[0])
    assert not _damaged(key, exact)


def test_plain_bytes_are_not_taken_for_an_encrypted_file() -> None:
    key = fc.new_file_key()
    assert not fc.is_encrypted(b"ID3\x04" + bytes(100))
    assert _damaged(key, b"RIFF" + bytes(5000))
