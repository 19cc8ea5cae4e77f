"""The speech-to-text half of the fake OpenAI server: the per-model request
rules of ``POST /v1/audio/transcriptions`` and answers made from the audio.

Rules copied (API reference "Create transcription", guide "Speech to text"):

- ``file`` and ``model`` are required; the file name's extension must be one
  of flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav, webm; files over 25 MB
  are refused with 413 ("Maximum content size limit (26214400) exceeded");
  audio that does not decode: 400 "Audio file might be corrupted or
  unsupported".
- ``whisper-1``: ``response_format`` json, text, srt, verbose_json or vtt;
  segments with times only in verbose_json; ``timestamp_granularities`` only
  with verbose_json.
- ``gpt-4o-transcribe``, ``gpt-4o-mini-transcribe``: json or text only, no
  segments, no timestamp granularities; at most 1500 s of audio.
- ``gpt-4o-transcribe-diarize``: json, text or diarized_json; diarized_json
  gives ``segments`` of ``{type: "transcript.text.segment", id, start, end,
  text, speaker}`` with speakers ``A``, ``B``, …; ``chunking_strategy`` is
  required for audio over 30 s; ``prompt``, ``include[]=logprobs`` and
  ``timestamp_granularities`` are refused.
- ``known_speaker_names[]`` (diarize only) come with as many
  ``known_speaker_references[]``, data URLs of 2-10 s of audio, at most 4;
  known speakers are labelled by their names.
- ``temperature`` is between 0 and 1; unknown form fields are refused.

What the audio "says": the turns a test registered for the file's sha256
(``POST /admin/transcripts``), else ``DEFAULT_TURNS``. The real duration is
read from the file (``wave`` for WAV, ffmpeg from ``imageio-ffmpeg`` for the
rest); the turns are spread evenly over it, whisper's segments are the
sentences, diarize's the turns with their speaker.
"""

from __future__ import annotations

import base64
import re
import subprocess
import tempfile
import wave
from io import BytesIO
from pathlib import Path
from typing import Any

DEFAULT_TURNS = [
    ("A", "How have you been since we last met?"),
    ("B", "I have been stressed at work. I sleep badly."),
]
MODELS = {
    "whisper-1": {"json", "text", "srt", "verbose_json", "vtt"},
    "gpt-4o-transcribe": {"json", "text"},
    "gpt-4o-mini-transcribe": {"json", "text"},
    "gpt-4o-transcribe-diarize": {"json", "text", "diarized_json"},
}
DIARIZE = "gpt-4o-transcribe-diarize"
EXTENSIONS = {"flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm"}
MAX_BYTES = 26_214_400
FIELDS = {"file", "model", "response_format", "prompt", "language", "temperature"}
FIELDS |= {"timestamp_granularities[]", "timestamp_granularities", "include[]"}
FIELDS |= {"chunking_strategy", "known_speaker_names[]", "stream"}
FIELDS |= {"known_speaker_references[]"}
_DURATION = re.compile(rb"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")


class Refused(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        param: str | None = None,
        code: str | None = None,
        kind: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.kind = (
            status,
            message,
            param,
            code,
            kind,
        )


def duration_of(data: bytes, filename: str) -> float:
    """Seconds of audio in ``data``, or Refused when it does not decode."""
    try:
        with wave.open(BytesIO(data)) as w:
            frames: int = w.getnframes()
            return frames / float(w.getframerate())
    except (wave.Error, EOFError, ZeroDivisionError):
        pass
    import imageio_ffmpeg

    suffix = Path(filename).suffix or ".bin"
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        tmp.write(data)
        tmp.flush()
        err = subprocess.run(
            [
                imageio_ffmpeg.get_ffmpeg_exe(),
                "-nostdin",
                "-hide_banner",
                "-v",
                "error",
                "-i",
                tmp.name,
                "-f",
                "null",
                "-",
            ],
            capture_output=True,
            timeout=60,
        )
        info = subprocess.run(
            [
                imageio_ffmpeg.get_ffmpeg_exe(),
                "-nostdin",
                "-hide_banner",
                "-i",
                tmp.name,
            ],
            capture_output=True,
            timeout=60,
        )
    match = _DURATION.search(info.stderr)
    if err.returncode != 0 or match is None or err.stderr.strip():
        raise Refused(
            400, "Audio file might be corrupted or unsupported", "file", "invalid_value"
        )
    h, m, s = match.groups()
    return int(h) * 3600 + int(m) * 60 + float(s)


def check_request(
    form: dict[str, Any], filename: str, size: int, known_models: set[str]
) -> tuple[str, str]:
    """(model, response_format) of a valid request, else Refused."""
    for key in form:
        if key not in FIELDS and not key.startswith("chunking_strategy["):
            raise Refused(400, f"Unrecognized request argument supplied: {key}", key)
    model = form.get("model")
    if not model:
        raise Refused(400, "you must provide a model parameter", "model")
    if model not in known_models:
        raise Refused(
            404,
            f"The model `{model}` does not exist or you do not have access to it.",
            "model",
            "model_not_found",
        )
    if size > MAX_BYTES:
        raise Refused(
            413,
            f"Maximum content size limit ({MAX_BYTES}) exceeded ({size} bytes read)",
            None,
            None,
            "server_error",
        )
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in EXTENSIONS:
        raise Refused(
            400,
            "Invalid file format. Supported formats: " + str(sorted(EXTENSIONS)),
            "file",
            "invalid_value",
        )
    fmt = form.get("response_format") or "json"
    allowed = MODELS.get(model, {"json", "text", "verbose_json"})
    if fmt not in allowed:
        raise Refused(
            400,
            f"response_format '{fmt}' is not compatible with model "
            f"'{model}'. Use {' or '.join(sorted(allowed))}.",
            "response_format",
            "unsupported_value",
        )
    granular = form.get("timestamp_granularities[]") or form.get(
        "timestamp_granularities"
    )
    if granular and (model == DIARIZE or fmt != "verbose_json"):
        raise Refused(
            400,
            "timestamp_granularities requires response_format=verbose_json"
            if model != DIARIZE
            else "timestamp_granularities is not supported for this model.",
            "timestamp_granularities",
            "unsupported_value",
        )
    if model == DIARIZE and form.get("prompt") is not None:
        raise Refused(
            400,
            "Prompt is not supported for diarization models.",
            "prompt",
            "unsupported_parameter",
        )
    include = form.get("include[]")
    if include and (
        model not in ("gpt-4o-transcribe", "gpt-4o-mini-transcribe") or fmt != "json"
    ):
        raise Refused(
            400,
            "logprobs are only supported with response_format json "
            "for gpt-4o-transcribe and gpt-4o-mini-transcribe.",
            "include",
            "unsupported_value",
        )
    if form.get("known_speaker_names[]") and model != DIARIZE:
        raise Refused(
            400,
            "known_speaker_names is only supported for diarization.",
            "known_speaker_names",
            "unsupported_parameter",
        )
    temperature = form.get("temperature")
    if temperature is not None:
        try:
            t = float(temperature)
        except ValueError:
            t = -1.0
        if not 0 <= t <= 1:
            raise Refused(
                400,
                f"{temperature} is not a valid temperature: expected "
                "a number between 0 and 1.",
                "temperature",
                "invalid_value",
            )
    return str(model), str(fmt)


def check_audio(model: str, form: dict[str, Any], seconds: float) -> None:
    if (
        model == DIARIZE
        and seconds > 30
        and not (
            form.get("chunking_strategy")
            or any(k.startswith("chunking_strategy[") for k in form)
        )
    ):
        raise Refused(
            400,
            "chunking_strategy is required for diarization models "
            "when the input audio is longer than 30 seconds.",
            "chunking_strategy",
            "missing_required_parameter",
        )
    if model in ("gpt-4o-transcribe", "gpt-4o-mini-transcribe") and seconds > 1500:
        raise Refused(
            400,
            f"audio duration {seconds:.1f} seconds is longer than 1500 "
            "seconds which is the maximum for this model",
            "file",
            "invalid_value",
        )


def check_known_speakers(form: dict[str, Any]) -> list[str]:
    """``known_speaker_names[]`` with as many ``known_speaker_references[]``
    (data URLs of 2-10 s of audio), at most 4; the names, or []."""
    names = list(form.get("known_speaker_names[]") or [])
    references = list(form.get("known_speaker_references[]") or [])
    if not names and not references:
        return []
    if len(names) != len(references) or len(names) > 4:
        raise Refused(
            400,
            "known_speaker_names and known_speaker_references must have the same "
            "length, of at most 4.",
            "known_speaker_references",
            "invalid_value",
        )
    for i, ref in enumerate(references):
        head, _, payload = str(ref).partition(";base64,")
        if not head.startswith("data:audio/") or not payload:
            raise Refused(
                400,
                f"known_speaker_references[{i}] is not an audio data URL.",
                "known_speaker_references",
                "invalid_value",
            )
        ext = head.removeprefix("data:audio/").replace("x-", "").replace("mpeg", "mp3")
        seconds = duration_of(base64.b64decode(payload), f"ref.{ext}")
        if not 2.0 <= seconds <= 10.0:
            raise Refused(
                400,
                f"known_speaker_references[{i}] must be between 2 "
                f"and 10 seconds long, got {seconds:.1f}.",
                "known_speaker_references",
                "invalid_value",
            )
    return [str(n) for n in names]


def _sentences(text: str) -> list[str]:
    return [p for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p]


def render(model: str, fmt: str, seconds: float, turns: list[tuple[str, str]]) -> Any:
    """The answer body: a dict for the JSON formats, a str for the others."""
    text = " ".join(t for _, t in turns)
    if model == DIARIZE:
        pieces = [(speaker, t) for speaker, t in turns]
    else:
        pieces = [(speaker, s) for speaker, t in turns for s in _sentences(t)]
    step = seconds / max(1, len(pieces))
    timed = [
        (round(i * step, 3), round((i + 1) * step, 3), sp, t)
        for i, (sp, t) in enumerate(pieces)
    ]
    usage: dict[str, Any] = (
        {"type": "duration", "seconds": round(seconds)}
        if model in ("whisper-1", DIARIZE)
        else {
            "type": "tokens",
            "input_tokens": max(1, int(seconds * 10)),
            "output_tokens": max(1, len(text) // 4),
            "total_tokens": max(1, int(seconds * 10)) + max(1, len(text) // 4),
            "input_token_details": {
                "audio_tokens": max(1, int(seconds * 10)),
                "text_tokens": 0,
            },
        }
    )
    if fmt == "text":
        return text
    if fmt in ("srt", "vtt"):
        lines = ["WEBVTT", ""] if fmt == "vtt" else []
        for i, (a, b, _, t) in enumerate(timed):
            sep = "." if fmt == "vtt" else ","
            lines += [] if fmt == "vtt" else [str(i + 1)]
            lines += [f"{_stamp(a, sep)} --> {_stamp(b, sep)}", t, ""]
        return "\n".join(lines)
    if fmt == "verbose_json":
        return {
            "task": "transcribe",
            "language": "english",
            "duration": seconds,
            "text": text,
            "segments": [
                {
                    "id": i,
                    "seek": 0,
                    "start": a,
                    "end": b,
                    "text": f" {t}",
                    "tokens": [],
                    "temperature": 0.0,
                    "avg_logprob": -0.2,
                    "compression_ratio": 1.2,
                    "no_speech_prob": 0.01,
                }
                for i, (a, b, _, t) in enumerate(timed)
            ],
            "usage": usage,
        }
    if fmt == "diarized_json":
        return {
            "task": "transcribe",
            "duration": seconds,
            "text": text,
            "segments": [
                {
                    "type": "transcript.text.segment",
                    "id": f"seg_{i:03d}",
                    "start": a,
                    "end": b,
                    "text": t,
                    "speaker": sp,
                }
                for i, (a, b, sp, t) in enumerate(timed)
            ],
            "usage": usage,
        }
    return {"text": text, "usage": usage}


def _stamp(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"
