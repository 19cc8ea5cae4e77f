"""Text normalisation for the risk screen: what a phrase looks like before the
lexicon's patterns read it.

Lower case; curly quotes straightened; contractions expanded ("can't" ->
"can not", "I'd" -> "I would", also without the apostrophe: "dont", "im");
leetspeak inside words undone ("su1cide", "k!ll", "$uicide"); letters
stretched for emphasis shrunk ("diiiie"); chat slang and euphemisms mapped to
the words the patterns know ("kms" -> "kill myself", "unalive" -> "kill",
"sewerslide" -> "suicide"); and misspelt key terms corrected by edit distance
(rapidfuzz's optimal string alignment distance: 1 edit for terms of up to 8
letters, 2 for longer ones that keep the first two letters, never for a word
on the protected list of real words that sit that close to a key term, e.g.
"decide", "overdoes", "starving").

The result is the words joined by single spaces with commas kept as their own
token (a comma ends the reach of a negation and of a pattern's gaps).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import OSA

_TOKEN = re.compile("[a-z0-9@$*!|'\u2019]+|,")
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
     "$": "s", "!": "i", "|": "i", "*": ""}
)  # fmt: skip
_PRONOUN_IS = {"he", "she", "it", "that", "what", "there", "who", "life", "here"}

# whole words (after the apostrophe is gone) -> their expansion
EXPAND: dict[str, str] = {
    "dont": "do not", "doesnt": "does not", "didnt": "did not", "cant": "can not",
    "cannot": "can not", "wont": "will not", "wouldnt": "would not",
    "couldnt": "could not", "shouldnt": "should not", "isnt": "is not",
    "arent": "are not", "wasnt": "was not", "werent": "were not",
    "havent": "have not", "hasnt": "has not", "hadnt": "had not", "aint": "is not",
    "im": "i am", "ive": "i have", "id": "i would", "youre": "you are",
    "hes": "he is", "shes": "she is", "theyre": "they are", "thats": "that is",
    "whats": "what is", "theres": "there is", "gonna": "going to",
    "wanna": "want to", "gotta": "got to", "tryna": "trying to",
    "kinda": "kind of", "sorta": "sort of", "u": "you", "ur": "your",
    "cuz": "because", "coz": "because", "cos": "because", "bc": "because",
    "prolly": "probably", "rn": "right now", "tho": "though", "ppl": "people",
    "bf": "boyfriend", "gf": "girlfriend", "mum": "mom", "mommy": "mom",
    "mama": "mom", "daddy": "dad", "noone": "no one", "nobodys": "nobody is",
    "ngl": "not going to lie", "idk": "i do not know", "tbh": "to be honest",
    "lol": "", "lmao": "", "omg": "",
    # chat slang and euphemisms for suicide and self-harm
    "kms": "kill myself", "kys": "kill yourself", "kmsl": "kill myself",
    "unaliv": "unalive", "sui": "suicide", "suicidey": "suicidal",
    "sewerslide": "suicide", "sewerside": "suicide", "sewercide": "suicide",
    "sooicide": "suicide", "soowicide": "suicide", "suwicide": "suicide",
    "suey": "suicide", "selfharm": "self harm", "selfharming": "self harming",
    "shing": "self harming", "shd": "self harmed", "selfdelete": "kill myself",
    "od": "overdose", "ods": "overdoses", "oded": "overdosed", "oding": "overdosing",
    "odeing": "overdosing", "odd": "odd", "narcanned": "narcan", "fent": "fentanyl",
    "xanny": "xanax", "xannies": "xanax", "xans": "xanax", "percs": "percocet",
    "oxys": "oxy", "benzo": "benzos",
    # frequent typos of short words that edit distance must not guess at
    "wnat": "want", "wnt": "want", "watn": "want", "kil": "kill", "kll": "kill",
    "klil": "kill", "kiil": "kill", "kilmyself": "kill myself", "dei": "die",
    "pils": "pills", "pillz": "pills", "myslf": "myself", "meself": "myself",
    "mysel": "myself", "myselfe": "myself", "wrsits": "wrists", "wirsts": "wrists",
}  # fmt: skip

# two words read as one (or as a phrase)
JOIN: dict[tuple[str, str], str] = {
    ("my", "self"): "myself", ("him", "self"): "himself", ("her", "self"): "herself",
    ("your", "self"): "yourself", ("them", "selves"): "themselves",
    ("step", "dad"): "stepdad", ("step", "mom"): "stepmom",
    ("step", "father"): "stepfather", ("step", "mother"): "stepmother",
    ("co", "worker"): "coworker", ("any", "more"): "anymore",
    ("self", "delete"): "kill myself", ("self", "deleting"): "killing myself",
    ("over", "dose"): "overdose", ("over", "dosed"): "overdosed",
    ("no", "body"): "nobody", ("un", "alive"): "unalive",
    ("sewer", "slide"): "suicide", ("sewer", "side"): "suicide",
    ("sue", "side"): "suicide", ("sui", "side"): "suicide",
}  # fmt: skip

# key terms a misspelling is corrected to (only words of 6 letters or more:
# shorter words are too near to ordinary ones)
KEY_TERMS = (
    "suicide", "suicidal", "suicidality", "myself", "overdose", "overdosed",
    "overdosing", "strangle", "strangled", "strangling", "molested", "molesting",
    "homicidal", "wrists", "fentanyl", "naloxone",
    "narcan", "unalive", "unaliving", "killing", "yourself", "herself", "himself",
    "themselves", "hanging", "stabbing", "poisoning", "abusing", "abused",
    "hurting", "harming", "cutting", "burning", "voices", "telling", "painkillers",
    "tablets", "medication", "xanax", "percocet", "heroin",
    "swallowed", "disappear", "existing", "burden",
    "threatened", "threatens", "punched", "slapped",
)  # fmt: skip

# real words within the edit distance of a key term: never "corrected"
PROTECTED = frozenset(
    """decide decided suited suicide herself himself itself myself yourself
    oneself ourself thyself overdoes overdone overhead overlook overdue
    strange stranger strangely stranded wrist writs wrote
    hopeful careless helpless homemade homicide cutting putting gutting
    batting betting bitter butter letter setter getter better burned burnt
    burden burdens garden warden harden burying burning turning learning
    earning yearning morning mourning hurting hunting hurling harming farming
    warming charming harping hanging banging ranging changing hanging
    singing longing ringing telling selling yelling felling telling tilling
    killing filling billing willing milling tilling chilling spilling
    stabbing grabbing crabbing stubbing voices voiced vices choices invoices
    choked chose choker poked smoked joked evoked stoked slapped clapped
    flapped snapped strapped punched bunched hunched lunched munched raped
    rated raced racked roped taped draped groped abused amused abuser
    existing exiting exist exit exits sleeping sweeping seeping keeping
    leaping tables tablet hanging threaten threatened heroine heroism
    medication meditation medications meditations swallow swallows
    swelled disappears disapprove unaligned butting jutting nutting rutting
    tutting cuttings burping wrangle wrangled tangle spangle steeping
    munched bunched lunched hunched starving starved carving craving
    stabbing slapping swapping strapped""".split()
)
_STRETCH = re.compile(r"([a-z])\1{2,}")


@lru_cache(maxsize=20_000)
def correct(token: str) -> str:
    """The key term a misspelt ``token`` stands for, or ``token`` itself."""
    if token in EXPAND:
        return EXPAND[token]
    if len(token) < 5 or token in PROTECTED or not token.isalpha():
        return token
    best, best_distance = token, 3
    for term in KEY_TERMS:
        if token == term or (token.startswith(term) and len(token) - len(term) <= 3):
            return token  # the term itself or an inflection of it
        if abs(len(term) - len(token)) > 2:
            continue
        limit = 1 if len(term) <= 8 else 2
        distance = OSA.distance(token, term, score_cutoff=limit)
        if distance == 2 and token[:2] != term[:2]:
            continue  # two edits only within the same word stem
        if distance <= limit and distance < best_distance:
            best, best_distance = term, distance
    return best


def _clean(raw: str) -> list[str]:
    token = raw.replace("\u2019", "'").strip("'!|*")
    if not token:
        return []
    if token == ",":
        return [","]
    lowered = token
    if "'" in lowered:
        lowered = _contraction(lowered)
    if any(c.isalpha() for c in lowered) and not lowered.isalpha():
        lowered = lowered.translate(_LEET)
    lowered = lowered.replace("'", "")
    if not lowered:
        return []
    if _STRETCH.search(lowered):
        lowered = _STRETCH.sub(r"\1\1", lowered)
    single = _DOUBLE.sub(r"\1", lowered)
    if single != lowered and single in _SHORT_WORDS:
        lowered = _SHORT_WORDS[single]
    return [w for part in lowered.split(" ") for w in correct(part).split(" ") if w]


# short key words typed with a doubled letter ("diee", "kiill"), by their
# form with every run of a letter shrunk to one
_SHORT_WORDS = {"die": "die", "kil": "kill", "cut": "cut", "pils": "pills",
                "dying": "dying", "slit": "slit", "suicide": "suicide"}  # fmt: skip
_DOUBLE = re.compile(r"([a-z])\1+")


def _contraction(token: str) -> str:
    if token in {"od'd", "od'ed", "o'd", "od'ing"}:
        return "overdosing" if token.endswith("ing") else "overdosed"
    if token.endswith("n't"):
        base = token[:-3]
        base = {"ca": "can", "wo": "will", "sha": "shall", "ai": "is"}.get(base, base)
        return f"{base} not"
    for tail, word in (("'m", "am"), ("'re", "are"), ("'ve", "have"),
                       ("'ll", "will"), ("'d", "would")):  # fmt: skip
        if token.endswith(tail):
            return f"{token[: -len(tail)]} {word}"
    if token.endswith("'s"):
        base = token[:-2]
        return f"{base} is" if base in _PRONOUN_IS else base
    return token


def normalise(text: str) -> str:
    """``text`` as the lexicon's patterns read it (see the module docstring)."""
    words: list[str] = []
    for match in _TOKEN.finditer(text.lower()):
        words.extend(_clean(match.group()))
    joined: list[str] = []
    for word in words:
        if joined and (joined[-1], word) in JOIN:
            joined[-1:] = JOIN[(joined[-1], word)].split(" ")
        else:
            joined.append(word)
    return " ".join(joined)
