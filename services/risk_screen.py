"""The deterministic risk screen: every transcript, whatever the model says.

Pure Python, no network, no model. Each segment is cut into sentences (long
ones into shorter pieces, all verbatim substrings of the segment, so a quote
always verifies against its segment), each piece is normalised
(services/risk_normalise.py) and read by the lexicon's rules
(services/risk_rules*.py; the instruments behind the wording are cited in
services/risk_lexicon.py). A match is HIGH unless its rule says MEDIUM; then:

- a denial lowers it to LOW: a negation ("not", "never", "no", "without",
  "accidentally") among the last words of the clause before the match, or
  inside a gap of the pattern ("the voices do not tell me to..."), but not
  the negations that carry risk ("no one would miss me", "can not go on");
- someone else's own ideation or act, reported by the client ("my friend said
  she wanted to die", "he told me he wants to kill his boss"), is MEDIUM, and
  LOW when the piece talks about a film, book, song or show;
- the therapist's questions and reflections are LOW: the client's segments are
  weighed first (a screening question "any thoughts of killing yourself?" is no
  disclosure); a first-person disclosure under a THERAPIST label keeps its
  severity (a mislabelled speaker must not hide it). A segment without a role
  (pasted text without labels) counts as the client's.

Nothing is dropped: a lowered match is still a flag, only of lower severity.
Flags are per kind of risk with their quotes (segment index + verbatim text),
the client's and the most severe first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from db.enums import RiskSeverity
from services.risk_lexicon import AB, IPV, KINDS, LABELS, Rule
from services.risk_normalise import normalise
from services.risk_rules import SELF_HARM, SUICIDE
from services.risk_rules_others import ABUSE, HARM_OTHERS, PARTNER, SUBSTANCE, VOICES

RULES: tuple[Rule, ...] = (
    *SUICIDE,
    *SELF_HARM,
    *HARM_OTHERS,
    *ABUSE,
    *PARTNER,
    *SUBSTANCE,
    *VOICES,
)
MAX_QUOTES = 5
MAX_PIECE = 300
_RANK = {RiskSeverity.LOW: 0, RiskSeverity.MEDIUM: 1, RiskSeverity.HIGH: 2}

_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;]*", re.UNICODE)
_CLAUSE = re.compile(
    r",|\b(?:but|though|although|however|yet|except|because|cause|and|so|then|"
    r"while|whereas|instead|anyway)\b"
)
_CUE = re.compile(
    r"\b(?:not|never|no|nor|neither|without|deny|denies|denied|accidentally|"
    r"accidently|by accident)\b"
)
_EXEMPT = re.compile(
    r"\b(?:not going to lie|not sure|not even sure|not really sure|do not know|"
    r"did not know|does not know|can not stop|could not stop|can not help|"
    r"could not help|no one|nobody|no point|no reason|no longer|no more|"
    r"not anymore|not a single|not to be dramatic|no offense|does not matter|"
    r"do not care|not that|not like|why not|no idea|not okay|not ok|not fine|"
    r"not well|not safe|not good|not doing well|not even|never mind|"
    r"(?:never|not|did not|do not|have not|has not|had not) (?:ever )?"
    r"(?:told|tell|said|say|mentioned|mention|admitted|shared)|"
    r"not (?:allowed|supposed) to (?:tell|say)|can not believe|can not remember|"
    r"can not sleep|would not mind|would not care|do not mind|do not think|"
    r"do not feel like|can not|could not|if not|or not|no matter|"
    r"never felt so|never been so|never been this|not been able to|"
    r"do not want anyone to know|no way out|no hope|no future|no escape|"
    r"(?:would be )?lying if i (?:said|say) i (?:did not|do not|was not|am not)|"
    r"not going to pretend i (?:do not|did not)|(?:has |have |had |does |did |will "
    r"|would |can |could )?(?:not|never) (?:stop|stopped|stops|quit|quits|let up)|"
    r"will not leave me alone|does not leave me alone)\b"
)
_FICTION = re.compile(
    r"\b(?:movie|movies|film|films|show|shows|series|episode|episodes|book|books|"
    r"novel|novels|story|stories|character|characters|song|songs|lyrics|game|"
    r"games|documentary|plot|scene|netflix|tv|podcast|article|news|headline|"
    r"play|musical|anime|manga|comic|comics|cartoon|fiction|villain|hero|"
    r"protagonist|actor|actress|finale|trailer|true crime|opera|thriller|"
    r"sitcom|drama|poem|myth|legend|history class|video)\b"
)
_FIRST = frozenset("i me my myself mine we us our ourselves you your yourself".split())
_THIRD = frozenset(
    """he she they him her them his their hers theirs himself herself themselves
    themself someone somebody anyone people person friend friends brother
    sister mom mother dad father cousin uncle aunt grandma grandpa grandmother
    grandfather son daughter husband wife boyfriend girlfriend partner roommate
    classmate coworker colleague neighbor neighbour boss teacher character guy
    man woman girl boy kid kids child patient client celebrity actor singer
    stepdad stepmom ex student classmates niece nephew fiance fiancee""".split()
)


@dataclass(frozen=True)
class Segment:
    """What the screen reads of a transcript segment (compatible with the
    stored segment records: ``index``, ``role``, ``text``, optional times)."""

    index: int
    text: str
    role: str | None = None  # THERAPIST | CLIENT | OTHER | None
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class Quote:
    segment_index: int
    quote: str
    severity: RiskSeverity
    from_client: bool


@dataclass
class ScreenFlag:
    kind: str
    severity: RiskSeverity
    quotes: list[Quote] = field(default_factory=list)

    @property
    def type(self) -> str:
        return LABELS[self.kind]

    @property
    def evidence(self) -> str:
        return self.quotes[0].quote if self.quotes else ""


def as_segments(records: Iterable[Segment | Mapping[str, Any]]) -> list[Segment]:
    """Stored segment records (dicts) or Segments, as Segments."""
    out: list[Segment] = []
    for position, record in enumerate(records):
        if isinstance(record, Segment):
            out.append(record)
            continue
        index = record.get("index")
        out.append(
            Segment(
                index=position if index is None else int(index),
                text=str(record.get("text") or ""),
                role=record.get("role"),
                start=record.get("start"),
                end=record.get("end"),
            )
        )
    return out


def pieces(text: str) -> list[str]:
    """``text`` cut into sentences, long ones into shorter pieces; each piece
    is a verbatim substring of ``text``."""
    out: list[str] = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group().strip()
        if not sentence:
            continue
        if len(sentence) <= MAX_PIECE:
            out.append(sentence)
            continue
        out.extend(_windows(sentence))
    return out


def _windows(sentence: str) -> list[str]:
    # overlapping word windows: a phrase across a cut is whole in one of them
    spans = [m.span() for m in re.finditer(r"\S+", sentence)]
    size, step = 40, 30
    out = []
    for first in range(0, len(spans), step):
        last = min(first + size, len(spans)) - 1
        out.append(sentence[spans[first][0] : spans[last][1]])
        if last == len(spans) - 1:
            break
    return out


def screen(records: Iterable[Segment | Mapping[str, Any]]) -> list[ScreenFlag]:
    """The risk flags of a transcript's segments, most severe first."""
    found: dict[str, list[Quote]] = {}
    for seg in as_segments(records):
        from_client = seg.role != "THERAPIST"
        for piece in pieces(seg.text):
            for kind, severity in screen_text(piece).items():
                if not from_client and _asks_or_reflects(piece):
                    severity = RiskSeverity.LOW
                found.setdefault(kind, []).append(
                    Quote(seg.index, piece, severity, from_client)
                )
    flags = []
    for kind in KINDS:
        quotes = found.get(kind)
        if not quotes:
            continue
        quotes.sort(key=lambda q: (not q.from_client, -_RANK[q.severity]))
        top = max(quotes, key=lambda q: _RANK[q.severity]).severity
        flags.append(ScreenFlag(kind, top, quotes[:MAX_QUOTES]))
    flags.sort(key=lambda f: -_RANK[f.severity])
    return flags


_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself|you're|you've)\b", re.I)


def _asks_or_reflects(piece: str) -> bool:
    """A therapist's question or reflection ("have you thought of killing
    yourself?", "you said you cut"): no disclosure of the therapist's own. A
    first-person disclosure under a THERAPIST label is more likely a speaker
    label gone wrong than a therapist's crisis: it keeps its severity."""
    return piece.rstrip().endswith("?") or bool(_SECOND_PERSON.search(piece))


def screen_text(piece: str) -> dict[str, RiskSeverity]:
    """The kinds of risk one sentence shows, each at its highest severity."""
    norm = normalise(piece)
    if not norm:
        return {}
    fiction = bool(_FICTION.search(norm))
    out: dict[str, RiskSeverity] = {}
    for rule in RULES:
        if rule.needs is not None and not rule.needs.search(norm):
            continue
        for match in rule.pattern.finditer(norm):
            kind = _kind(rule, match, norm)
            severity = _severity(rule, match, norm, fiction)
            if kind not in out or _RANK[severity] > _RANK[out[kind]]:
                out[kind] = severity
    return out


_PARTNER = (
    r"(?:my|his|her|our|their|the) (?:ex )?(?:husband|wife|boyfriend|girlfriend|"
    r"partner|fiance|fiancee|spouse|ex)\b"
)


def _kind(rule: Rule, match: re.Match[str], norm: str) -> str:
    if rule.kind != AB:
        return rule.kind
    abuser = match.groupdict().get("abuser") or ""
    if abuser in {"he", "she", "they"}:
        return IPV if re.search(_PARTNER, norm) else AB
    return IPV if re.fullmatch(_PARTNER, abuser) else AB


def _severity(
    rule: Rule, match: re.Match[str], norm: str, fiction: bool
) -> RiskSeverity:
    if _negated(match, norm):
        return RiskSeverity.LOW
    person = _person(rule, match, norm)
    if person == "third":
        return RiskSeverity.LOW if fiction else RiskSeverity.MEDIUM
    if person == "nobody" and fiction:
        return RiskSeverity.LOW
    return rule.severity


def _negated(match: re.Match[str], norm: str) -> bool:
    groups = match.groupdict()
    if groups.get("neg"):
        return True
    for name, text in groups.items():
        if name.startswith("gap") and text and _CUE.search(_EXEMPT.sub(" ", text)):
            return True
    clause = _CLAUSE.split(norm[: match.start()])[-1]
    window = " ".join(clause.split()[-7:])
    return bool(_CUE.search(_EXEMPT.sub(" ", window)))


def _person(rule: Rule, match: re.Match[str], norm: str) -> str:
    """ "first" (the speaker), "third" (someone else) or "nobody" named."""
    groups = match.groupdict()
    if rule.kind in (AB, IPV):
        # abuse of anyone the client tells of is theirs to act on; only a
        # story about strangers (a film, the news) is lowered
        return "first" if _VICTIM_CLIENT.search(match.group()) else "nobody"
    subject = groups.get("subj")
    if subject:
        first_word = subject.split(" ")[0]
        return "first" if first_word in {"i", "we", "you"} else "third"
    if not rule.self_directed:
        return "nobody"
    refl = groups.get("refl")
    if refl:
        return "third" if refl in _THIRD_SELF else "first"
    words = match.group().split()
    if any(w in _FIRST for w in words):
        return "first"
    if any(w in _THIRD_IN_MATCH for w in words) or re.search(
        r"\bher (?:own |life|lives)", match.group()
    ):
        return "third"
    after = norm[match.end() :].split()[:3]
    if "me" in after or "myself" in after:
        return "first"
    before = norm[: match.start()].split()
    for k in range(len(before) - 1, -1, -1):
        word = before[k]
        if word in _FIRST_SUBJECT:
            return "first"
        if word in _THIRD_SUBJECT:
            return "third"
        if word in _THIRD_NOUN and (k == len(before) - 1 or before[k + 1] in _VERBISH):
            return "third"
    return "nobody"


_VICTIM_CLIENT = re.compile(
    r"\b(?:me|us|my|i|the kids|the children|the baby|the child|our)\b"
)
_THIRD_SELF = frozenset({"himself", "herself", "themselves", "themself"})
_THIRD_IN_MATCH = frozenset({*_THIRD_SELF, "his", "their"})
_FIRST_SUBJECT = frozenset({"i", "we", "you", "me", "myself"})
_THIRD_SUBJECT = frozenset({"he", "she", "they", "someone", "somebody"})
_THIRD_NOUN = _THIRD - _FIRST - _THIRD_SUBJECT
_VERBISH = frozenset(
    """said says told tells wants wanted is was has had keeps kept tried tries
    thinks thought feels felt admitted mentioned texted posted wrote would will
    can could did does died committed attempted talked talks talking wishes
    wished who that""".split()
)
