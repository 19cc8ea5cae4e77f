"""Known speakers for the later parts of a long diarized recording.

gpt-4o-transcribe-diarize labels speakers per request (``A`` is whoever
speaks first in that request), so the parts of a split recording would each
start over, and a part that opens with the client would swap the roles. The
API takes up to four ``known_speaker_names[]`` with a 2-10 s sample each in
``known_speaker_references[]`` (data URLs): the first part's labels, with a
clip of each label's longest turn, make the later parts use the same labels.
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

MAX_SPEAKERS = 4
# the API wants 2-10 s; decoding may trim a little, so ask a margin inside
MIN_TURN = 2.5
CLIP = 8.0


def _turns(segments: list[dict[str, Any]]) -> dict[str, tuple[float, float]]:
    """Each label's longest turn of at least MIN_TURN seconds (four labels
    at most, in order of speaking)."""
    best: dict[str, tuple[float, float]] = {}
    for s in segments:
        label, start, end = s.get("speaker"), s.get("start"), s.get("end")
        if not isinstance(label, str) or start is None or end is None:
            continue
        if end - start < MIN_TURN:
            continue
        if label in best:
            if end - start > best[label][1] - best[label][0]:
                best[label] = (start, end)
        elif len(best) < MAX_SPEAKERS:
            best[label] = (start, end)
    return best


async def known_speakers(
    ffmpeg: str, part: Path, segments: list[dict[str, Any]], work: Path
) -> dict[str, Any]:
    """The request arguments naming the part's speakers (empty when no
    label has a turn long enough for a sample)."""
    names: list[str] = []
    references: list[str] = []
    for number, (label, (start, end)) in enumerate(_turns(segments).items()):
        clip = work / f"speaker{number}.wav"
        proc = await asyncio.create_subprocess_exec(
            ffmpeg,
            *("-nostdin", "-loglevel", "error", "-ss", f"{start:.3f}"),
            *("-t", f"{min(end - start, CLIP):.3f}", "-i", str(part)),
            *("-ac", "1", "-ar", "16000", "-y", str(clip)),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        if await proc.wait() != 0:
            continue
        data = await asyncio.to_thread(clip.read_bytes)
        names.append(label)
        references.append("data:audio/wav;base64," + base64.b64encode(data).decode())
    if not names:
        return {}
    return {"known_speaker_names": names, "known_speaker_references": references}
