"""Fixed material for the demo practice (names, topics, strategies)."""

from __future__ import annotations

PATIENT_NAMES = [
    "Alex Rivera",
    "Bianca Moretti",
    "Chen Wei",
    "Dana Okafor",
    "Elias Novak",
    "Farah Haddad",
    "Gabriel Santos",
    "Hannah Lindqvist",
    "Ibrahim Diallo",
    "Julia Kowalski",
    "Kenji Tanaka",
    "Leila Ahmadi",
]

TOPICS = [
    "anxiety",
    "sleep",
    "work stress",
    "relationships",
    "family conflict",
    "grief",
    "self-esteem",
    "panic attacks",
    "boundaries",
    "motivation",
    "social anxiety",
    "anger",
]

STRATEGIES = [
    ("Cognitive restructuring", "CBT", "Challenge and reframe automatic thoughts"),
    ("Box breathing", "relaxation", "Four-count breathing when anxiety rises"),
    ("Behavioral activation", "CBT", "Schedule small rewarding activities"),
    ("Grounding 5-4-3-2-1", "mindfulness", "Name what the senses notice"),
    ("Sleep hygiene", "behavioral", "Fixed wake time, no screens in bed"),
    ("Assertive communication", "skills", "Practise I-statements"),
]

ACTIONS = [
    ("Keep a thought record", "homework"),
    ("Walk 20 minutes daily", "activity"),
    ("Practise breathing twice a day", "practice"),
    ("Write down three good things each evening", "journaling"),
    ("Plan one social contact this week", "activity"),
]

GOALS = [
    "Reduce weekly panic episodes",
    "Sleep at least 7 hours on most nights",
    "Return to regular social activities",
    "Manage work stress without avoidance",
]
