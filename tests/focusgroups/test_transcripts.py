"""Splitting uploaded transcripts (plain text, WebVTT, SRT) into speaker turns."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocreate.focusgroups.transcripts import KINDS, ParsedTurn, TranscriptError, parse_transcript

BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def babel_app():
    """A bare app, only so lazy messages can be rendered (in English)."""
    app = Flask(__name__)
    Babel(app)
    return app


def refusal(babel_app, data: bytes, kind: str, **limits) -> str:
    """The English message of the TranscriptError that parsing raises."""
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(data, kind, **limits)
    with babel_app.app_context():
        return str(caught.value.message)


def turn(speaker, text, start_ms=None, end_ms=None, language=None) -> ParsedTurn:
    return ParsedTurn(speaker=speaker, text=text, start_ms=start_ms, end_ms=end_ms, language=language)


# --- plain text -------------------------------------------------------------------------------


def test_text_one_turn_per_speaker_line_with_continuations():
    data = (
        b"Moderator: Welkom allemaal.\n"
        b"Amal: Ik woon hier sinds 2010.\n"
        b"   Het   park is   te klein.\n"
        b"\n"
        b"en er zijn geen bankjes\n"
        b"Bram:   Mee eens!\n"
    )
    assert parse_transcript(data, "text") == [
        turn("Moderator", "Welkom allemaal."),
        turn("Amal", "Ik woon hier sinds 2010. Het park is te klein. en er zijn geen bankjes"),
        turn("Bram", "Mee eens!"),
    ]


def test_text_first_line_without_speaker_becomes_an_unlabelled_turn():
    turns = parse_transcript(b"Opname van dinsdag\nAmal: Hallo", "text")
    assert turns == [turn("", "Opname van dinsdag"), turn("Amal", "Hallo")]


def test_text_prefixes_that_read_like_sentences_are_text():
    data = (
        "Amal: We spraken af\n"
        "Ik zei toen tegen haar: nee\n"  # five words before the colon
        "Om 10:30 begonnen we\n"  # no space after the colon
        f"{'Een heel lange aanhef' + 'x' * 60}: ook tekst\n"  # over 60 characters
        "https://example.org staat online\n"
    ).encode()
    [only] = parse_transcript(data, "text")
    assert only.speaker == "Amal"
    assert only.text.startswith("We spraken af Ik zei toen tegen haar: nee Om 10:30 begonnen we Een heel")
    assert only.text.endswith(": ook tekst https://example.org staat online")


def test_text_speaker_label_needs_a_letter_or_digit_and_keeps_its_spelling():
    turns = parse_transcript(b"Amal   Hassan : ja\n-- : nee\nDeelnemer 3: misschien", "text")
    assert [(t.speaker, t.text) for t in turns] == [("Amal Hassan", "ja -- : nee"), ("Deelnemer 3", "misschien")]


def test_text_time_prefixes_give_the_start():
    data = (
        b"[00:01:02] Amal: Hallo\n"
        b"00:01:05 Bram: Dag\n"
        b"nog iets\n"
        b"[01:00:00.5] Sara: Later\n"
        b"[00:02:00]\n"
        b"Amal: Na de pauze\n"
        b"[00:03:00] zonder naam\n"
        b"Bram: Zonder tijd\n"
    )
    assert parse_transcript(data, "text") == [
        turn("Amal", "Hallo", 62_000),
        turn("Bram", "Dag nog iets", 65_000),
        turn("Sara", "Later", 3_600_500),
        turn("Amal", "Na de pauze", 120_000),
        turn("", "zonder naam", 180_000),
        turn("Bram", "Zonder tijd"),
    ]


def test_text_invalid_times_stay_text():
    [only] = parse_transcript(b"Amal: kijk\n[00:61:00 klopt niet\n00:99:00 ook niet", "text")
    assert only == turn("Amal", "kijk [00:61:00 klopt niet 00:99:00 ook niet")


def test_text_dutch_and_arabic_lines_get_their_language():
    data = "Amal: مرحبا بكم جميعا في الحي\nBram: Goedemiddag iedereen\n".encode()
    assert parse_transcript(data, "text") == [
        turn("Amal", "مرحبا بكم جميعا في الحي", language="ar"),
        turn("Bram", "Goedemiddag iedereen"),
    ]


def test_text_dutch_street_name_inside_an_arabic_sentence_is_still_arabic():
    data = "Amal: أسكن في Kruisstraat قرب المحطة منذ سنوات طويلة\n".encode()
    [only] = parse_transcript(data, "text")
    assert only.language == "ar"
    assert "Kruisstraat" in only.text


def test_text_mostly_latin_with_an_arabic_word_is_not_arabic():
    [only] = parse_transcript("Bram: Het woord شكرا hoorde ik vaak in de buurt".encode(), "text")
    assert only.language is None


def test_text_arabic_speaker_label_and_crlf_line_ends():
    data = "أمل: نعم\r\nBram: ja\rnee\r\n".encode()
    assert parse_transcript(data, "text") == [
        turn("أمل", "نعم", language="ar"),
        turn("Bram", "ja nee"),
    ]


def test_text_label_without_text_is_dropped_unless_continued():
    data = b"Amal:\nik begin\nBram:\n"
    assert parse_transcript(data, "text") == [turn("Amal", "ik begin")]


# --- WebVTT ------------------------------------------------------------------------------------


def test_vtt_voice_spans():
    data = (
        b"WEBVTT\n\n"
        b"00:00:01.000 --> 00:00:04.000\n"
        b"<v Amal Hassan>Het park is te klein.</v>\n\n"
        b"00:00:04.000 --> 00:00:06.250\n"
        b"<v.moderator Sara>Dank je.\n\n"
        b"01:02:03.004 --> 01:02:05.000\n"
        b"<v Amal Hassan>Nog iets.</v>\n"
    )
    assert parse_transcript(data, "vtt") == [
        turn("Amal Hassan", "Het park is te klein.", 1_000, 4_000),
        turn("Sara", "Dank je.", 4_000, 6_250),
        turn("Amal Hassan", "Nog iets.", 3_723_004, 3_725_000),
    ]


def test_vtt_name_prefixes_and_consecutive_cues_are_not_merged():
    data = (
        b"WEBVTT\n\n"
        b"00:01.000 --> 00:02.000\nAmal: Eerste zin,\n\n"
        b"00:02.000 --> 00:03.000\nAmal: tweede zin.\n\n"
        b"00:03.000 --> 00:04.000\nen zonder naam\n"
    )
    assert parse_transcript(data, "vtt") == [
        turn("Amal", "Eerste zin,", 1_000, 2_000),
        turn("Amal", "tweede zin.", 2_000, 3_000),
        turn("", "en zonder naam", 3_000, 4_000),
    ]


def test_vtt_styling_tags_timestamps_and_references_are_removed():
    data = (
        b"WEBVTT\n\n"
        b"00:00:01.000 --> 00:00:05.000\n"
        b"<v Bram><i>Dit</i> is <b>echt</b> <c.loud.red>belangrijk</c>\n"
        b"<00:00:03.000><u>voor</u> ons &amp; de buurt &lt;3</v>\n"
    )
    assert parse_transcript(data, "vtt") == [
        turn("Bram", "Dit is echt belangrijk voor ons & de buurt <3", 1_000, 5_000),
    ]


def test_vtt_cue_settings_identifiers_note_and_style_blocks_with_bom():
    data = BOM + (
        b"WEBVTT - focusgroep 3\n"
        b"Kind: captions\n\n"
        b"NOTE opgenomen in het buurthuis\n\n"
        b"STYLE\n::cue { color: yellow }\n\n"
        b"intro\n"
        b"00:00:01.000 --> 00:00:02.000 align:start position:10% line:0\n"
        b"<v Amal>Hallo</v>\n\n"
        b"NOTE\nmeerdere regels\nnotitie\n\n"
        b"2\n"
        b"00:00:02.000 --> 00:00:03.500 size:50%\n"
        b"Bram: Dag\n"
        b"Amal\n"
    )
    assert parse_transcript(data, "vtt") == [
        turn("Amal", "Hallo", 1_000, 2_000),
        turn("Bram", "Dag Amal", 2_000, 3_500),
    ]


def test_vtt_arabic_cue():
    data = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v أمل>الحديقة صغيرة جدا في Kruisstraat</v>\n".encode()
    [only] = parse_transcript(data, "vtt")
    assert (only.speaker, only.language) == ("أمل", "ar")


def test_vtt_cue_without_text_is_dropped():
    data = b"WEBVTT\n\n00:01.000 --> 00:02.000\n<v Amal></v>\n\n00:02.000 --> 00:03.000\nBram: ja\n"
    assert parse_transcript(data, "vtt") == [turn("Bram", "ja", 2_000, 3_000)]


# --- SRT ---------------------------------------------------------------------------------------


def test_srt_with_speaker_prefixes():
    data = (
        "1\r\n00:00:01,000 --> 00:00:03,500\r\nModerator: Wie begint?\r\n\r\n"
        "2\r\n00:00:03,500 --> 00:00:07,000\r\n<i>Amal:</i> Ik.\r\nHet gaat over de speeltuin.\r\n\r\n"
        "3\r\n01:00:00,000 --> 01:00:01,000\r\nنعم بالتأكيد\r\n"
    ).encode()
    assert parse_transcript(data, "srt") == [
        turn("Moderator", "Wie begint?", 1_000, 3_500),
        turn("Amal", "Ik. Het gaat over de speeltuin.", 3_500, 7_000),
        turn("", "نعم بالتأكيد", 3_600_000, 3_601_000, "ar"),
    ]


def test_srt_override_tags_are_removed():
    data = b"1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<font color=\"#fff\">Bram:</font> {\\i1}boven{\\i0} {ok}\n"
    assert parse_transcript(data, "srt") == [turn("Bram", "boven {ok}", 1_000, 2_000)]


# --- refusals ----------------------------------------------------------------------------------


def test_not_utf8(babel_app):
    message = refusal(babel_app, "Amal: Café ça va".encode("latin-1"), "text")
    assert message == "The file is not UTF-8 text. Save it as UTF-8 in your editor and upload it again."
    assert refusal(babel_app, b"\xff\xfeA\x00m\x00", "vtt") == message


def test_too_large(babel_app):
    at_limit = b"Amal: " + b"a" * (1_000_000 - 6)
    assert parse_transcript(at_limit, "text", max_bytes=1_000_000)
    message = refusal(babel_app, at_limit + b"a", "text", max_bytes=1_000_000)
    assert message == "The file is larger than 1 MB. Split it into smaller files."
    assert "1.5 MB" in refusal(babel_app, b"x" * 1_500_001, "vtt", max_bytes=1_500_000)
    assert "2 MB" in refusal(babel_app, b"x" * 2_000_001, "srt")


@pytest.mark.parametrize("data", [b"", b"\n \n\t\r\n", BOM, BOM + b"\n\n"])
@pytest.mark.parametrize("kind", KINDS)
def test_empty_file(babel_app, data, kind):
    assert refusal(babel_app, data, kind) == "The file is empty."


@pytest.mark.parametrize(("data", "kind"), [
    (b"Amal:\nBram:  \n", "text"),
    (b"[00:01:00]\n", "text"),
    (b"WEBVTT\n\nNOTE nothing yet\n", "vtt"),
    (b"WEBVTT\n\n00:01.000 --> 00:02.000\n<i></i>\n", "vtt"),
])
def test_no_turns(babel_app, data, kind):
    assert refusal(babel_app, data, kind) == "No speaker turns were found in the file."


@pytest.mark.parametrize("data", [
    b"00:00:01.000 --> 00:00:02.000\nAmal: Hallo\n",
    b"1\n00:00:01,000 --> 00:00:02,000\nAmal: Hallo\n",  # SRT uploaded as WebVTT
    b"Amal: Hallo\n",
])
def test_vtt_without_header(babel_app, data):
    assert refusal(babel_app, data, "vtt") == (
        "The file is not valid WebVTT: check the first line says WEBVTT and each cue has a time line.")


VTT_BAD_TIME = "A cue time in the file cannot be read. Times must look like 00:01:02.000 --> 00:01:05.000."
SRT_BAD_TIME = "A cue time in the file cannot be read. Times must look like 00:01:02,000 --> 00:01:05,000."


def vtt_unread(line: int) -> str:
    return (f"The cue at line {line} cannot be read. Check its time line, e.g. 00:01:02.000 --> 00:01:05.000, "
            "and put one empty line between cues and none inside a cue.")


def srt_unread(line: int) -> str:
    return (f"The cue at line {line} cannot be read. Check its number and time line, e.g. "
            "00:01:02,000 --> 00:01:05,000, and put one empty line between cues and none inside a cue.")


@pytest.mark.parametrize("time_line", [
    "00:00:01.000 --> 00:00:75.000",  # seconds out of range
    "00:00:01,000 --> 00:00:02,000",  # SRT comma
    "123:00:01.000 --> 123:00:02.000",  # more hours than webvtt-py reads
])
def test_vtt_time_that_cannot_be_read(babel_app, time_line):
    data = f"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nAmal: ja\n\n{time_line}\nBram: nee\n".encode()
    assert refusal(babel_app, data, "vtt") == VTT_BAD_TIME


@pytest.mark.parametrize(("cues", "line"), [
    ("00:00:1.000 --> 00:00:02.000\nBram: nee\n", 6),  # webvtt-py would skip this cue quietly
    ("00:00:01.000 -> 00:00:02.000\nBram: nee\n", 6),
    ("00:00:01.000 --> 00:00:02.000\nBram: nee\n\nen nog meer\n", 9),  # empty line inside a cue
    ("00:00:01.000 --> 00:00:02.000\nBram: nee\n00:00:02.000 --> 00:00:03.000\nSara: ja\n", 6),
])
def test_vtt_cue_that_cannot_be_read_is_named_by_line(babel_app, cues, line):
    data = f"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nAmal: ja\n\n{cues}".encode()
    assert refusal(babel_app, data, "vtt") == vtt_unread(line)


def test_vtt_and_srt_cues_without_text_are_allowed():
    vtt = b"WEBVTT\n\n00:01.000 --> 00:02.000\n\nid\n00:02.000 --> 00:03.000\n\n00:03.000 --> 00:04.000\nja\n"
    assert parse_transcript(vtt, "vtt") == [turn("", "ja", 3_000, 4_000)]
    srt = (b"1\n00:00:01,000 --> 00:00:02,000\nja\n\n"
           b"2\n00:00:02,000 --> 00:00:03,000\n\n"
           b"3\n00:00:03,000 --> 00:00:04,000\nnee\n")
    assert [t.text for t in parse_transcript(srt, "srt")] == ["ja", "nee"]


def test_leading_blank_lines_are_allowed_and_counted_in_line_numbers(babel_app):
    first_cue = b"\n \n1\n00:00:01,000 --> 00:00:02,000\nja\n\n"
    assert parse_transcript(first_cue, "srt") == [turn("", "ja", 1_000, 2_000)]
    second_cue = b"2\n00:00:02.000 --> 00:00:03.000\nnee\n"
    assert refusal(babel_app, first_cue + second_cue, "srt") == srt_unread(7)


@pytest.mark.parametrize("data", [
    b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAmal: Hallo\n",  # WebVTT uploaded as SRT
    b"00:00:01,000 --> 00:00:02,000\nAmal: Hallo\n",  # no cue number
    b"1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:02,000 --> 00:00:03,000\nBram: ja\n",  # first cue without text
    b"Amal: Hallo\n",
])
def test_srt_malformed(babel_app, data):
    assert refusal(babel_app, data, "srt") == (
        "The file is not valid SRT: each cue needs a number, a time line and text, "
        "with an empty line between cues.")


def test_srt_time_that_cannot_be_read(babel_app):
    data = b"1\n00:00:01,000 --> 00:00:02,000\nja\n\n2\n00:00:02,000 --> 00:00:99,000\nnee\n"
    assert refusal(babel_app, data, "srt") == SRT_BAD_TIME


@pytest.mark.parametrize(("second_cue", "line"), [
    ("00:00:02,000 --> 00:00:03,000\nnee\n", 5),  # no cue number
    ("2\n00:00:02.000 --> 00:00:03.000\nnee\n", 5),  # WebVTT time line
    ("2\n00:00:02,000 --> 00:00:03,000\nnee\n\nen nog meer\n", 9),  # empty line inside a cue
    ("2\n00:00:02,000 --> 00:00:03,000\nnee\n3\n00:00:03,000 --> 00:00:04,000\nja\n", 5),  # no empty line
])
def test_srt_cue_that_cannot_be_read_is_named_by_line(babel_app, second_cue, line):
    data = f"1\n00:00:01,000 --> 00:00:02,000\nja\n\n{second_cue}".encode()
    assert refusal(babel_app, data, "srt") == srt_unread(line)


@pytest.mark.parametrize("kind", ["", "txt", "VTT", "docx", "notes"])
def test_unknown_kind(babel_app, kind):
    assert refusal(babel_app, b"Amal: Hallo", kind) == "Choose the format of the file: text, WebVTT or SRT."


@pytest.mark.parametrize(("data", "line"), [
    (b"Amal: Hal\x00lo", 1),
    (b"Amal: Hallo\r\nBram: \x1b[31mrood\n", 2),
    ("Amal: ja\n\nBram: nee\u0085".encode(), 3),
    (b"Amal: ja\x0cnee", 1),
    (b"Amal: \x7f", 1),
])
def test_control_characters(babel_app, data, line):
    assert refusal(babel_app, data, "text") == (
        f"Line {line} contains a hidden control character. Save the file as plain text and try again.")


def test_tabs_and_line_breaks_are_fine():
    assert parse_transcript(b"Amal:\tja\tnee\r\n", "text") == [turn("Amal", "ja nee")]


def test_too_many_turns(babel_app):
    data = b"".join(b"Amal: ja\nBram: nee\n" for _ in range(3))
    assert len(parse_transcript(data, "text", max_turns=6)) == 6
    assert refusal(babel_app, data, "text", max_turns=5) == (
        "The file has more than 5 turns. Split it into smaller files.")


def test_too_many_cues(babel_app):
    cues = "".join(f"00:00:{i:02d}.000 --> 00:00:{i + 1:02d}.000\nAmal: {i}\n\n" for i in range(4))
    data = f"WEBVTT\n\n{cues}".encode()
    assert refusal(babel_app, data, "vtt", max_turns=3) == (
        "The file has more than 3 turns. Split it into smaller files.")


# --- never anything but turns or a TranscriptError --------------------------------------------

_PIECES = st.sampled_from([
    "WEBVTT", "\n", "\r\n", " ", ":", "-->", "00:00:01.000", "00:00:01,000", "00:01.000", "99:99:99.999",
    "[00:01:02]", "00:01:02", "1", "NOTE", "STYLE", "<v Amal>", "<v.a.b  >", "</v>", "<i>", "<", ">",
    "&amp;", "&#0;", "&#x85;", "Amal:", "Amal", "مرحبا", "\ufeff", "\u2028", "\x00", "\t", "é",
    "٠١:٢٣.٤٥٦", "²", "{\\an8}", "{", "REGION",
])
_ALMOST_VALID = st.lists(_PIECES, max_size=60).map("".join).map(str.encode)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=400), _ALMOST_VALID), kind=st.sampled_from(KINDS))
def test_any_bytes_give_turns_or_a_transcript_error(data, kind):
    try:
        turns = parse_transcript(data, kind, max_bytes=1_000, max_turns=20)
    except TranscriptError:
        return
    assert 0 < len(turns) <= 20
    for parsed in turns:
        assert isinstance(parsed, ParsedTurn)
        assert parsed.text and parsed.text == " ".join(parsed.text.split())
        assert parsed.language in (None, "ar")
        assert len(parsed.speaker) <= 60
