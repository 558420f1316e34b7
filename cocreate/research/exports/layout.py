"""The variables of a wide response export: which columns a survey's questions become.

One layout serves every wide format. CSV and XLSX show a chosen option as its
code; SPSS and Stata get the numbers 1..n in option order with value labels.
The codebook documents both, and the variable names used in the .sav/.dta
files, which must follow rules the CSV headers need not.

Per question type:

- single choice: ``<Q>`` (the option);
- multiple choice: one 0/1 column per option, named by the option code;
- ranking: one column per option with its rank;
- matrix: one column per row with the point chosen;
- likert, scale, number, date: ``<Q>`` (the value);
- short and long text: ``<Q>`` and ``<Q>_lang`` (the language it was written in);
- an "other" option adds ``<Q>_other`` (the text) and ``<Q>_other_lang``; in a
  multiple-choice question the option's own 0/1 column is then ``<Q>_other_choice``;
- "prefer not to say" is an option of single and multiple choice questions, and
  a 0/1 column named by its option code for every other type.

A pooled export lays out the union of the question and option codes of all
surveys made from one template, in the order of the first survey that has them;
a code keeps the type it has in the first survey.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from cocreate.core.i18n import localize
from cocreate.surveys.models import OptionKind, QuestionType


class Storage(enum.StrEnum):
    """How a column's values are written."""

    TEXT = "text"        # a string in every format
    CODE = "code"        # the option code in CSV/XLSX; 1..n with value labels in SPSS/Stata
    FLAG = "flag"        # 1 chosen, 0 not chosen, empty when the question was not answered
    INTEGER = "integer"  # scale points and ranks
    NUMBER = "number"    # numbers as typed (up to six decimals)


MEASURES = {Storage.TEXT: "nominal", Storage.CODE: "nominal", Storage.FLAG: "nominal",
            Storage.INTEGER: "ordinal", Storage.NUMBER: "scale"}

#: Labels of the two values of a 0/1 column.
FLAG_LABELS = {0: _l("No"), 1: _l("Yes")}


@dataclass
class Value:
    """One option of a choice column: its code, its number in SPSS/Stata, its label."""

    code: str
    number: int
    label: dict
    #: "Prefer not to say": declared as a user-missing value in SPSS.
    missing: bool = False


@dataclass
class Column:
    name: str
    storage: Storage
    #: meta, value, other, language, other_language, prefer_not, choice, rank, row.
    role: str
    #: The variable label per language (question text, with the option or row label).
    label: dict = field(default_factory=dict)
    #: For the columns that are not about a question: what they hold (UI language).
    description: object = None
    question: str | None = None
    question_type: str | None = None
    option: str | None = None
    item: str | None = None
    retired: bool = False
    dimension: str | None = None
    values: list[Value] = field(default_factory=list)
    #: The variable name in .sav and .dta files (see :func:`stats_names`).
    stats_name: str = ""

    @property
    def measure(self) -> str:
        return MEASURES[self.storage]


@dataclass
class Slots:
    """Where the answers to one question go: column indexes by what they hold."""

    type: str
    value: int | None = None
    other: int | None = None
    other_language: int | None = None
    language: int | None = None
    prefer_not: int | None = None
    prefer_not_code: str | None = None
    #: Option code → column (0/1 flags of multiple choice, ranks of a ranking).
    options: dict[str, int] = field(default_factory=dict)
    #: Matrix row code → column.
    rows: dict[str, int] = field(default_factory=dict)
    #: Option code → 1..n for the single-choice value column.
    numbers: dict[str, int] = field(default_factory=dict)
    #: Every 0/1 column of the question: set to 0 once the question is answered.
    flags: list[int] = field(default_factory=list)


@dataclass
class Layout:
    columns: list[Column]
    slots: dict[str, Slots]
    #: Languages of the survey(s), main language first.
    languages: list[str]
    default_language: str

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]


#: The first columns of every wide export, in this order.
META = (
    ("participant_id", Storage.TEXT, _l("Pseudonymous participant id (the same person has the same id "
                                        "within a lab; anonymous responses have their own)")),
    ("municipality", Storage.TEXT, _l("Municipality (short name)")),
    ("survey", Storage.TEXT, _l("Survey (short name)")),
    ("language", Storage.TEXT, _l("Language the survey was answered in")),
    ("assisted", Storage.FLAG, _l("Answered with the help of a staff member (1 yes, 0 no)")),
    ("assisted_language", Storage.TEXT, _l("Language of the help given")),
    ("submitted", Storage.TEXT, _l("Submitted: the day for anonymous responses, else the time in UTC")),
)


@dataclass
class _Option:
    code: str
    kind: str
    label: dict


@dataclass
class _Question:
    code: str
    type: str
    text: dict
    dimension: str | None
    retired: bool
    options: list[_Option]


_KIND_ORDER = {OptionKind.CHOICE: 0, OptionKind.ROW: 0, OptionKind.OTHER: 1, OptionKind.PREFER_NOT: 2}


def _merged_questions(surveys) -> list[_Question]:
    """Questions of all ``surveys`` by code, in the order they are asked; options and
    translations missing from the first survey are added from the others."""
    merged: dict[str, _Question] = {}
    for survey in surveys:
        for section in survey.sections:
            for question in section.questions:
                options = [_Option(o.code, o.kind, dict(o.label or {})) for o in question.options]
                spec = merged.get(question.code)
                if spec is None:
                    merged[question.code] = _Question(question.code, question.type, dict(question.text or {}),
                                                      question.dimension, question.is_hidden, options)
                    continue
                spec.retired = spec.retired and question.is_hidden
                for language, text in (question.text or {}).items():
                    spec.text.setdefault(language, text)
                known = {o.code for o in spec.options}
                spec.options += [o for o in options if o.code not in known]
    for spec in merged.values():
        # Other and prefer-not come last, also when another town added options.
        spec.options.sort(key=lambda o: _KIND_ORDER.get(o.kind, 0))
    return list(merged.values())


class _Names:
    """Column names, unique: a clash gets the column's role, then a number, appended."""

    def __init__(self):
        self.taken: set[str] = set()

    def take(self, preferred: str, role: str) -> str:
        name = preferred
        number = 2
        while name in self.taken:
            name = f"{preferred}_{role}" if number == 2 else f"{preferred}_{role}{number - 1}"
            number += 1
        self.taken.add(name)
        return name


def _joined(first: dict, second: dict, languages: list[str], default: str) -> dict:
    """"Question — option" in each language the question is written in (an untranslated
    option label falls back like everywhere else)."""
    return {code: f"{first[code]} — {localize(second, code, default).text}"
            for code in languages if (first.get(code) or "").strip()}


def build_layout(surveys) -> Layout:
    """The columns of a wide export of ``surveys`` (one survey, or a template's copies)."""
    surveys = list(surveys)
    default = surveys[0].default_language if surveys else "en"
    languages: list[str] = []
    for survey in surveys:
        languages += [code for code in survey.content_languages if code not in languages]
    names = _Names()
    columns = [Column(names.take(name, "meta"), storage, "meta", description=description)
               for name, storage, description in META]
    slots: dict[str, Slots] = {}

    for spec in _merged_questions(surveys):
        slots[spec.code] = _add_question(spec, columns, names, languages, default)
    stats_names(columns)
    return Layout(columns, slots, languages, default)


def _add_question(spec: _Question, columns: list[Column], names: _Names, languages: list[str],
                  default: str) -> Slots:
    """Append the columns of one question; return where its answers go."""
    kind = spec.type
    slot = Slots(type=kind)

    def add(name, storage, role, *, label=None, option=None, item=None, values=(), reserved=False):
        columns.append(Column(
            name if reserved else names.take(name, role), storage, role,
            label=label if label is not None else dict(spec.text),
            question=spec.code, question_type=kind, option=option, item=item, retired=spec.retired,
            dimension=spec.dimension, values=list(values)))
        return len(columns) - 1

    def about(option):
        return _joined(spec.text, option.label, languages, default)

    choices = [o for o in spec.options if o.kind in (OptionKind.CHOICE, OptionKind.OTHER, OptionKind.PREFER_NOT)]
    other = next((o for o in spec.options if o.kind == OptionKind.OTHER), None)
    prefer_not = next((o for o in spec.options if o.kind == OptionKind.PREFER_NOT), None)
    if other is not None and kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        # "<Q>_other" is the text; an option coded "<Q>_other" gets "<Q>_other_choice".
        other_names = (names.take(f"{spec.code}_other", "other"),
                       names.take(f"{spec.code}_other_lang", "other_language"))

    if kind == QuestionType.SINGLE:
        values = [Value(o.code, number, o.label, o.kind == OptionKind.PREFER_NOT)
                  for number, o in enumerate(choices, start=1)]
        slot.numbers = {v.code: v.number for v in values}
        slot.value = add(spec.code, Storage.CODE, "value", values=values)
    elif kind == QuestionType.MULTIPLE:
        for option in choices:
            slot.options[option.code] = add(option.code, Storage.FLAG, "choice", option=option.code,
                                            label=about(option))
        slot.flags = list(slot.options.values())
    elif kind == QuestionType.RANKING:
        for option in (o for o in spec.options if o.kind == OptionKind.CHOICE):
            slot.options[option.code] = add(option.code, Storage.INTEGER, "rank", option=option.code,
                                            label=about(option))
    elif kind == QuestionType.MATRIX:
        for row in (o for o in spec.options if o.kind == OptionKind.ROW):
            slot.rows[row.code] = add(row.code, Storage.INTEGER, "row", item=row.code, label=about(row))
    elif kind in (QuestionType.LIKERT, QuestionType.SCALE):
        slot.value = add(spec.code, Storage.INTEGER, "value")
    elif kind == QuestionType.NUMBER:
        slot.value = add(spec.code, Storage.NUMBER, "value")
    elif kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        slot.value = add(spec.code, Storage.TEXT, "value")
        slot.language = add(f"{spec.code}_lang", Storage.TEXT, "language")
    else:  # dates, and any type added later: kept as text
        slot.value = add(spec.code, Storage.TEXT, "value")

    if other is not None and kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        slot.other = add(other_names[0], Storage.TEXT, "other", option=other.code, label=about(other),
                         reserved=True)
        slot.other_language = add(other_names[1], Storage.TEXT, "other_language", option=other.code,
                                  label=about(other), reserved=True)
    if prefer_not is not None and kind not in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        slot.prefer_not_code = prefer_not.code
        slot.prefer_not = add(prefer_not.code, Storage.FLAG, "prefer_not", option=prefer_not.code,
                              label=about(prefer_not))
        slot.flags = [*slot.flags, slot.prefer_not]
    return slot


# -- Variable names for SPSS and Stata --------------------------------------------------

#: Stata allows 32 characters, but pyreadstat names a variable's value-label set
#: "<variable><counter>", which must fit in 32 characters too: 28 leaves room for
#: 9,999 labelled variables. SPSS allows 64 bytes, so 28 ASCII characters fit both.
STATS_NAME_MAX = 28

#: Reserved words of SPSS and Stata (compared in lower case; SPSS names ignore case).
RESERVED = frozenset({
    "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with",
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n",
    "_pi", "_pred", "_rc", "_skip", "strl", "str", "using",
})


def stats_name(name: str, taken: set[str]) -> str:
    """A variable name valid in SPSS and Stata, unique in ``taken`` (lower case; updated).

    Letters, digits and underscores; starts with a letter; at most
    :data:`STATS_NAME_MAX` characters; never a reserved word.
    """
    base = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not base or not ("a" <= base[0].lower() <= "z"):
        base = "v" + base
    if base.lower() in RESERVED or re.fullmatch(r"str\d+", base.lower()):
        base = "v_" + base
    base = base[:STATS_NAME_MAX]
    candidate, number = base, 2
    while candidate.lower() in taken:
        suffix = f"_{number}"
        candidate = base[:STATS_NAME_MAX - len(suffix)] + suffix
        number += 1
    taken.add(candidate.lower())
    return candidate


def stats_names(columns: list[Column]) -> None:
    taken: set[str] = set()
    for column in columns:
        column.stats_name = stats_name(column.name, taken)


# -- Labels ------------------------------------------------------------------------------


def variable_label(column: Column, language: str) -> str:
    """The label of a variable in ``language`` (the survey's main language for SPSS/Stata)."""
    if column.role == "meta":
        return str(column.description)
    text = localize(column.label, language, language).text
    if column.role in ("language", "other_language"):
        return str(_l("Language of: %(text)s", text=text))
    return text


def value_label(value: Value, language: str) -> str:
    """"Belgium [AY_BIRTH_1]": the label in ``language`` and the code it stands for."""
    return f"{localize(value.label, language, language).text} [{value.code}]"
