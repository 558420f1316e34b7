"""Split an uploaded focus-group transcript into speaker turns.

Three formats are read, all as UTF-8 (a leading byte order mark is dropped):

``text``
    One turn per line of the form ``Speaker: what they said``. A line may
    start with a time, ``[00:01:02]`` or ``00:01:02`` (a fraction such as
    ``.500`` is allowed), which becomes the turn's start. A line without a
    speaker continues the previous turn, unless it starts with a time, which
    starts a new turn without a speaker. A line holding only a time gives the
    start of the turn on the next line. The text before the first colon is a
    speaker only when a space or the end of the line follows the colon and it
    reads like a name: at most 60 characters and 4 words, with a letter or a
    digit. So ``Om 10:30 begonnen we`` and ``Ik zei toen tegen haar: nee``
    stay text.

``vtt`` (WebVTT) and ``srt`` (SubRip)
    Read with webvtt-py, one turn per cue, with the cue's start and end
    times. The speaker is the first voice span (``<v Amal>`` or
    ``<v.moderator Amal>``; a name over 60 characters is not used), else a
    ``Speaker:`` prefix as in ``text``. Other tags (``<i>``, ``<c.loud>``,
    ``<00:00:01.000>``, SRT's ``{\\an8}``) are removed and character
    references (``&amp;``) decoded. Cues are never merged, even when the same person speaks in
    consecutive cues. Cue identifiers, cue settings and the header, ``NOTE``,
    ``STYLE`` and ``REGION`` blocks are ignored, as are cues without text. A
    file with a block that is none of these (webvtt-py would skip it quietly)
    or with two cues not separated by an empty line is refused, naming the
    line, so that no speech is lost.

Whitespace in the text and the speaker label is collapsed to single spaces;
the lines of a cue are joined with a space. Turns that end up without text
are dropped. A turn's ``language`` is ``"ar"`` when most of its letters are in
Arabic script, else ``None`` for the caller's default; Persian is never
guessed, as it shares the script.

Anything that cannot be read raises :class:`TranscriptError`, whose
``message`` is a lazy translated string to show to the moderator.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import webvtt
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from webvtt import srt, vtt
from webvtt.errors import MalformedCaptionError, MalformedFileError
from webvtt.models import Caption, Timestamp

KINDS = ("text", "vtt", "srt")

MAX_LABEL_CHARS = 60
MAX_LABEL_WORDS = 4

# Every control character (Unicode category Cc) except tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# hh:mm:ss with an optional fraction, bare or in square brackets, then a space or the end.
_TIME_PREFIX = re.compile(
    r"(?P<open>\[)?(?P<hours>[0-9]{1,2}):(?P<minutes>[0-5][0-9]):(?P<seconds>[0-5][0-9])"
    r"(?:[.,](?P<fraction>[0-9]{1,3}))?(?(open)\])(?=\s|$)"
)
# A tag, or an SRT override such as {\an8}, never spans a line nor holds its own brackets,
# which keeps matching linear.
_TAG = re.compile(r"<[^<>\n]*>|\{\\[^{}\n]*\}")
_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?\s([^<>\n]*)>")
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


@dataclass(frozen=True)
class ParsedTurn:
    speaker: str  # the speaker label as written in the file, stripped; "" when there is none
    text: str  # the spoken text, whitespace-normalised within lines, no markup/tags
    start_ms: int | None  # cue start in milliseconds (None for plain text)
    end_ms: int | None
    language: str | None  # "ar" when most letters are Arabic script, "fa" never guessed, else None


class TranscriptError(Exception):
    """Refusal with a message safe to show (a lazy translated string in .message)."""

    def __init__(self, message: LazyString | str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class _Draft:
    """A turn being collected from the lines of a plain-text transcript."""

    speaker: str
    parts: list[str]
    start_ms: int | None


def parse_transcript(
    data: bytes, kind: str, *, max_bytes: int = 2_000_000, max_turns: int = 5000
) -> list[ParsedTurn]:
    """Return the speaker turns of an uploaded transcript, in file order."""
    if kind not in KINDS:
        raise TranscriptError(_l("Choose the format of the file: text, WebVTT or SRT."))
    if len(data) > max_bytes:
        raise TranscriptError(
            _l("The file is larger than %(size)s MB. Split it into smaller files.",
               size=f"{max_bytes / 1_000_000:g}"))
    text = _decode(data)
    if not text.strip():
        raise TranscriptError(_l("The file is empty."))
    turns = _PARSERS[kind](text)
    if not turns:
        raise TranscriptError(_l("No speaker turns were found in the file."))
    if len(turns) > max_turns:
        raise TranscriptError(
            _l("The file has more than %(count)s turns. Split it into smaller files.", count=max_turns))
    return turns


def _decode(data: bytes) -> str:
    """The text of the file with LF line ends; refuses bytes that are not clean UTF-8 text."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TranscriptError(
            _l("The file is not UTF-8 text. Save it as UTF-8 in your editor and upload it again.")
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    control = _CONTROL.search(text)
    if control:
        raise TranscriptError(
            _l("Line %(line)s contains a hidden control character. Save the file as plain text and try again.",
               line=text.count("\n", 0, control.start()) + 1))
    return text


def _parse_text(text: str) -> list[ParsedTurn]:
    drafts: list[_Draft] = []
    pending_start: int | None = None
    for raw_line in text.split("\n"):
        start_ms, line = _split_time_prefix(raw_line.strip())
        if not line:
            pending_start = start_ms if start_ms is not None else pending_start
            continue
        start_ms = start_ms if start_ms is not None else pending_start
        labelled = _split_speaker(line)
        if labelled is None and start_ms is None and drafts:
            drafts[-1].parts.append(line)
            continue
        speaker, spoken = labelled or ("", line)
        drafts.append(_Draft(speaker, [spoken], start_ms))
        pending_start = None
    return _keep_spoken(_make_turn(d.speaker, " ".join(d.parts), d.start_ms, None) for d in drafts)


def _split_time_prefix(line: str) -> tuple[int | None, str]:
    """The start of a line like ``[00:01:02] Amal: Hallo`` in milliseconds, and the rest."""
    match = _TIME_PREFIX.match(line)
    if match is None:
        return None, line
    millis = int((match["fraction"] or "0").ljust(3, "0"))
    start_ms = _milliseconds(int(match["hours"]), int(match["minutes"]), int(match["seconds"]), millis)
    return start_ms, line[match.end():].strip()


def _milliseconds(hours: int, minutes: int, seconds: int, millis: int) -> int:
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def _split_speaker(line: str) -> tuple[str, str] | None:
    """``(speaker, text)`` when the line starts with a ``Name:`` prefix, else None."""
    name, colon, rest = line.partition(":")
    if not colon or (rest and not rest[0].isspace()) or len(name.split()) > MAX_LABEL_WORDS:
        return None
    label = _label(name)
    return (label, rest) if label else None


def _label(name: str) -> str:
    """The name with its whitespace collapsed, or "" when it is too long or has no letter or digit."""
    label = " ".join(name.split())
    usable = len(label) <= MAX_LABEL_CHARS and any(char.isalnum() for char in label)
    return label if usable else ""


@dataclass(frozen=True)
class _CueFormat:
    """What webvtt-py needs to read a subtitle format, and the messages for its mistakes."""

    name: str  # webvtt-py's name of the format
    is_cue: Callable[[Sequence[str]], bool]  # webvtt-py's test of a block of lines
    has_header: bool  # the first block is a header, not a cue
    other_blocks: tuple[str, ...]  # how blocks that are not cues start
    not_valid: LazyString
    bad_time: LazyString
    unread_cue: Callable[[int], LazyString]


_VTT = _CueFormat(
    name="vtt",
    is_cue=vtt.WebVTTCueBlock.is_valid,
    has_header=True,
    other_blocks=("NOTE", "STYLE", "REGION"),
    not_valid=_l("The file is not valid WebVTT: check the first line says WEBVTT and each cue has a time line."),
    bad_time=_l("A cue time in the file cannot be read. Times must look like 00:01:02.000 --> 00:01:05.000."),
    unread_cue=lambda line: _l(
        "The cue at line %(line)s cannot be read. Check its time line, e.g. 00:01:02.000 --> 00:01:05.000, "
        "and put one empty line between cues and none inside a cue.", line=line),
)
_SRT = _CueFormat(
    name="srt",
    is_cue=srt.SRTCueBlock.is_valid,
    has_header=False,
    other_blocks=(),
    not_valid=_l("The file is not valid SRT: each cue needs a number, a time line and text, "
                 "with an empty line between cues."),
    bad_time=_l("A cue time in the file cannot be read. Times must look like 00:01:02,000 --> 00:01:05,000."),
    unread_cue=lambda line: _l(
        "The cue at line %(line)s cannot be read. Check its number and time line, e.g. "
        "00:01:02,000 --> 00:01:05,000, and put one empty line between cues and none inside a cue.", line=line),
)


def _parse_vtt(text: str) -> list[ParsedTurn]:
    return _parse_cues(text, _VTT)


def _parse_srt(text: str) -> list[ParsedTurn]:
    return _parse_cues(text, _SRT)


def _parse_cues(text: str, cue_format: _CueFormat) -> list[ParsedTurn]:
    lines = [line.strip() for line in text.split("\n")]
    first = next(number for number, line in enumerate(lines) if line)
    try:
        captions = webvtt.from_buffer(lines[first:], format=cue_format.name).captions
    except MalformedFileError:
        raise TranscriptError(cue_format.not_valid) from None
    except MalformedCaptionError:
        raise TranscriptError(cue_format.bad_time) from None
    unread = _first_unread_cue(lines, cue_format)
    if unread is not None:
        raise TranscriptError(cue_format.unread_cue(unread))
    return _keep_spoken(_cue_turn(caption) for caption in captions)


def _first_unread_cue(lines: Sequence[str], cue_format: _CueFormat) -> int | None:
    """The line number of the first cue that webvtt-py skipped or merged into another, if any.

    webvtt-py quietly skips a block it cannot read as a cue, such as one with a mistyped time
    line or text after an empty line inside a cue, and reads two cues without an empty line
    between them as one. Such a file is refused, so that no speech is lost or misplaced.
    """
    for position, (number, block) in enumerate(_blocks(lines)):
        if (cue_format.has_header and position == 0) or block[0].startswith(cue_format.other_blocks):
            continue
        timed_lines = sum("-->" in line for line in block)
        empty_cue = timed_lines == 1 and "-->" in block[-1]
        if not empty_cue and (timed_lines != 1 or not cue_format.is_cue(block)):
            return number
    return None


def _blocks(lines: Sequence[str]) -> Iterator[tuple[int, list[str]]]:
    """The blocks of lines between empty lines, each with the number of its first line."""
    block: list[str] = []
    for number, line in enumerate(lines, start=1):
        if line:
            block.append(line)
        elif block:
            yield number - len(block), block
            block = []
    if block:
        yield len(lines) + 1 - len(block), block


def _cue_turn(caption: Caption) -> ParsedTurn:
    raw = "\n".join(caption.lines)
    spoken = html.unescape(_TAG.sub("", raw))
    voice = _VOICE.search(raw)
    speaker = _label(html.unescape(voice[1])) if voice else ""
    if not speaker:
        speaker, spoken = _split_speaker(" ".join(spoken.split())) or ("", spoken)
    return _make_turn(speaker, spoken, _timestamp_ms(caption.start_time), _timestamp_ms(caption.end_time))


def _timestamp_ms(timestamp: Timestamp) -> int:
    return _milliseconds(*timestamp.to_tuple())


def _make_turn(speaker: str, spoken: str, start_ms: int | None, end_ms: int | None) -> ParsedTurn:
    text = " ".join(spoken.split())
    return ParsedTurn(speaker=speaker, text=text, start_ms=start_ms, end_ms=end_ms, language=_guess_language(text))


def _keep_spoken(turns: Iterable[ParsedTurn]) -> list[ParsedTurn]:
    return [turn for turn in turns if turn.text]


def _guess_language(text: str) -> str | None:
    """``"ar"`` when more than half of the letters are in Arabic script, else None."""
    letters = sum(map(str.isalpha, text))
    arabic = sum(map(str.isalpha, _ARABIC_SCRIPT.findall(text)))
    return "ar" if arabic * 2 > letters else None


_PARSERS: dict[str, Callable[[str], list[ParsedTurn]]] = {
    "text": _parse_text,
    "vtt": _parse_vtt,
    "srt": _parse_srt,
}
