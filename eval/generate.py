"""Build the evaluation corpus (eval/transcripts/*.txt and eval/facts.json)
from the hand-written blocks in eval/blocks.py with a seeded generator.

    python eval/generate.py        # rewrites the files; same seed, same files

Each transcript is one session: an opening, check-ins, the exchanges of its
theme (and of a second theme for some), strategies, action items, the risk
disclosures it is meant to carry (none for the risk-free ones, which carry
figures of speech instead), and a closing. Client turns are lengthened with
everyday details until the session reaches its drawn length (1,600 to 4,200
words: about 11 to 28 minutes of talk at 150 words a minute). The facts file
says what a correct note must contain: its topics, its strategies, its action
items, and every risk with the client's words that disclose it.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import blocks  # noqa: E402

SEED = 20261202
NAMES = ["Alex", "Sam", "Jordan", "Priya", "Tom", "Maria", "Chen", "Fatima", "Liam",
         "Zoe", "Omar", "Hannah", "Ravi", "Ella", "Mateo", "Aisha", "Noah", "Grace",
         "Yusuf", "Ines", "Kai", "Lena", "Ben", "Sofia", "Tariq", "Mia", "Dev",
         "Ruth", "Jonas", "Amara"]  # fmt: skip
PARTNERS = ["Chris", "Dana", "Robin", "Jamie", "Morgan", "Taylor"]
SIBLINGS = ["sister", "brother", "cousin", "aunt"]
JOBS = ["the office", "the warehouse", "the hospital", "school", "the shop",
        "the call centre", "the restaurant", "the bank"]  # fmt: skip
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Sunday"]
CHILDREN = ["our son", "our daughter", "the kids", "our youngest"]
FRIENDS = ["Nadia", "Pete", "Lucy", "Marcus", "Ana", "Josh"]
PROBES = [
    "Can you say more about that?",
    "What did you notice in yourself when that happened?",
    "How did that feel?",
    "What went through your mind then?",
    "That sounds hard. What happened next?",
    "What would you like to be different about that?",
]

# (theme, second theme, risk kinds with the index of their disclosure)
PLAN: list[tuple[str, str | None, list[tuple[str, int]]]] = [
    ("anxiety", None, []),
    ("anxiety", "depression", [("suicidal_ideation", 0)]),
    ("anxiety", None, []),
    ("anxiety", "trauma", [("suicidal_ideation", 3)]),
    ("anxiety", None, [("substance_crisis", 1)]),
    ("depression", None, [("suicidal_ideation", 2)]),
    ("depression", None, []),
    ("depression", "grief", [("self_harm", 0)]),
    ("depression", None, [("suicidal_ideation", 3)]),
    ("depression", "substance", [("substance_crisis", 0), ("suicidal_ideation", 0)]),
    ("grief", None, []),
    ("grief", None, [("suicidal_ideation", 1)]),
    ("grief", "depression", []),
    ("grief", None, [("suicidal_ideation", 3)]),
    ("couples", None, []),
    ("couples", None, [("intimate_partner_violence", 0)]),
    ("couples", None, [("intimate_partner_violence", 1)]),
    ("couples", "substance", []),
    ("adolescent", None, [("self_harm", 1)]),
    ("adolescent", None, [("abuse_neglect", 0)]),
    ("adolescent", None, []),
    ("adolescent", "anxiety", [("abuse_neglect", 1)]),
    ("adolescent", "depression", [("suicidal_ideation", 0), ("self_harm", 0)]),
    ("substance", None, [("substance_crisis", 0)]),
    ("substance", None, []),
    ("substance", "depression", [("substance_crisis", 1)]),
    ("substance", None, [("harm_to_others", 0)]),
    ("trauma", None, []),
    ("trauma", None, [("command_hallucinations", 0)]),
    ("trauma", "anxiety", [("harm_to_others", 0)]),
]

Turn = tuple[str, str]  # (speaker, text)


def _fill(text: str, values: dict[str, str]) -> str:
    return text.format(**values)


def _transcript(number: int, rng: random.Random) -> tuple[str, dict[str, object]]:
    theme, second, risks = PLAN[number]
    values = {
        "name": NAMES[number],
        "partner": rng.choice(PARTNERS),
        "sibling": rng.choice(SIBLINGS),
        "job": rng.choice(JOBS),
        "day": rng.choice(DAYS),
        "child": rng.choice(CHILDREN),
        "friend": rng.choice(FRIENDS),
    }
    exchanges: list[tuple[str, str]] = [rng.choice(blocks.OPENINGS)]
    exchanges += rng.sample(blocks.CHECKINS, len(blocks.CHECKINS))
    spec = blocks.THEMES[theme]
    lines = list(spec["lines"])
    rng.shuffle(lines)
    middle_talk = lines + rng.sample(blocks.REFLECTIONS, len(blocks.REFLECTIONS))
    topics = list(spec["topics"])
    if second is not None:
        other = blocks.THEMES[second]
        middle_talk += rng.sample(list(other["lines"]), 3)
        topics.append(next(iter(other["topics"])))
    rng.shuffle(middle_talk)
    exchanges += middle_talk
    strategies = rng.sample(blocks.STRATEGIES, 4)
    actions = rng.sample(blocks.ACTIONS, 3)
    middle = [s[2] for s in strategies]
    # risk disclosures land between the theme's exchanges, not at the edges
    disclosures = []
    for kind, index in risks:
        said, follow, answer = blocks.RISKS[kind][index]
        disclosures.append({"kind": kind, "quote": _fill(said, values)})
        at = rng.randint(4, len(exchanges) - 1)
        exchanges[at:at] = [(rng.choice(PROBES), said), (follow, answer)]
    if not risks:
        for turn in rng.sample(blocks.LOOKALIKE_TURNS, 3):
            at = rng.randint(4, len(exchanges) - 1)
            exchanges.insert(at, (rng.choice(PROBES), turn))
    exchanges += middle + [a[2] for a in actions] + [rng.choice(blocks.CLOSINGS)]
    target = rng.randint(1_700, 2_600)
    turns = _lengthen(exchanges, values, target, rng)
    text = "\n".join(f"{who}: {what}" for who, what in turns) + "\n"
    facts: dict[str, object] = {
        "id": f"{number + 1:02d}_{theme}",
        "theme": theme,
        "second_theme": second,
        "expected_topics": topics,
        "expected_strategies": [s[0] for s in strategies],
        "expected_action_items": [a[0] for a in actions],
        "expected_risks": disclosures,
        "has_risk": bool(risks),
        "indirect": any(kind == "suicidal_ideation" and i == 1 for kind, i in risks),
        "words": len(text.split()),
    }
    return text, facts


def _lengthen(
    exchanges: list[tuple[str, str]],
    values: dict[str, str],
    target: int,
    rng: random.Random,
) -> list[Turn]:
    """The turns, with client turns given everyday details (each detail used
    once per session, at most two per turn) until ``target`` words."""
    pool = rng.sample(blocks.ELABORATIONS, len(blocks.ELABORATIONS))
    added: list[list[str]] = [[] for _ in exchanges]
    while True:
        turns: list[Turn] = []
        for i, (asked, answered) in enumerate(exchanges):
            turns.append(("Therapist", _fill(asked, values)))
            parts = [_fill(answered, values), *(_fill(e, values) for e in added[i])]
            turns.append(("Client", " ".join(parts)))
        words = sum(len(t.split()) for _, t in turns)
        open_turns = [i for i in range(1, len(exchanges)) if len(added[i]) < 2]
        if words >= target or not pool or not open_turns:
            return turns
        added[rng.choice(open_turns)].append(pool.pop())


def main(root: Path = HERE) -> None:
    rng = random.Random(SEED)
    out = root / "transcripts"
    out.mkdir(parents=True, exist_ok=True)
    all_facts = []
    for number in range(len(PLAN)):
        text, facts = _transcript(number, rng)
        (out / f"{facts['id']}.txt").write_text(text)
        all_facts.append(facts)
    (root / "facts.json").write_text(json.dumps(all_facts, indent=2) + "\n")


if __name__ == "__main__":
    main()
