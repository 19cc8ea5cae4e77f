"""The risk screen's lexicon: word families and the patterns built from them.

Patterns read normalised text (services/risk_normalise.py): lower case, no
apostrophes ("do not", "i am"), misspellings and slang already mapped. They
are written over word families (``<KILL>``, ``<SELF>``, ``<PERSON>``...) and
short gaps, not over whole sentences, so unseen phrasings of the same idea
match too. A ``(?P<refl>...)`` or ``(?P<subj>...)`` group names whose act it
is; otherwise the screen looks back for the nearest subject.

The wording draws on published screening instruments:
- C-SSRS, Columbia Suicide Severity Rating Scale (Posner et al., 2011): wish
  to be dead ("wished you could go to sleep and not wake up"), active ideation,
  method, intent, plan, preparatory acts (collected pills, obtained a gun, gave
  away valuables, wrote a will or suicide note, went to the roof), attempts;
- ASQ, Ask Suicide-Screening Questions (NIMH): "wished you were dead", "felt
  that you or your family would be better off if you were dead", "thoughts
  about killing yourself", "ever tried to kill yourself";
- PHQ-9 item 9: "thoughts that you would be better off dead, or of hurting
  yourself in some way"; SAFE-T (SAMHSA) for intent, plan and access to means;
- self-harm: the Deliberate Self-Harm Inventory (Gratz, 2001) and the
  Self-Harm Inventory (cutting, burning, scratching to bleeding, hitting);
- harm to others: the C-SSRS homicidal items as used in SAFE-T style
  assessments (thoughts of killing or hurting someone, intent, plan, weapon);
- intimate-partner violence: HITS (Hurt, Insult, Threaten, Scream), WAST
  (Woman Abuse Screening Tool) and Campbell's Danger Assessment (choking or
  strangulation, threats to kill, a weapon, control of money and contacts);
- abuse and neglect: the ACE questionnaire's wording ("push, grab, slap, or
  throw something at you", "hit you so hard that you had marks", "touch or
  fondle you", "not enough to eat") and EASI, the Elder Abuse Suspicion Index
  (prevented from food, medication or care; money taken; forced to sign);
- overdose and substance crisis: CRAFFT, DAST-10 and AUDIT (blackouts,
  withdrawal, using alone), with overdose signs from naloxone guidance;
- command hallucinations: the PQ-B (Prodromal Questionnaire, Brief) item on
  voices and the clinical definition of command auditory hallucinations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from db.enums import RiskSeverity

SI = "suicidal_ideation"
SH = "self_harm"
HO = "harm_to_others"
AB = "abuse_neglect"
IPV = "intimate_partner_violence"
SUB = "substance_crisis"
CMD = "command_hallucinations"
KINDS = (SI, SH, HO, AB, IPV, SUB, CMD)
HIGH, MEDIUM = RiskSeverity.HIGH, RiskSeverity.MEDIUM

W = "[a-z0-9]+"
MACROS: dict[str, str] = {
    "<A>": (
        r"(?:(?:just|really|honestly|seriously|actually|sometimes|often|always|"
        r"still|kind of|sort of|literally|truly|so|even|almost|nearly|genuinely|"
        r"secretly|totally|definitely|probably|maybe|finally|completely|simply|"
        r"already|again|also|lowkey|low key|fully|quietly|desperately|badly|"
        r"constantly|somehow|ever|like|all|now|then|better|rather|go|go and|"
        r"want to|try to|be able to|able to|to|have been|had been|been|have|"
        r"am|was|keep|kept|started|start|would|will|seriously) )*"
    ),
    "<SELF>": (
        r"(?P<refl>myself|himself|herself|themselves|themself|yourself|"
        r"yourselves|ourselves|oneself)"
    ),
    "<TO>": r"(?:to|2)",
    "<DIE>": (
        r"(?:die|dye(?! (?:my|her|his|the|it|hair|this|that|them|a|some)\b)|"
        r"be dead|be gone|not be alive|not be here|not be around|not exist|"
        r"stop existing|stop living|cease to exist|not wake up|never wake up|"
        r"sleep forever|go to sleep forever|be with (?:him|her|them|my [a-z]+) "
        r"(?:again|in heaven|up there|on the other side))"
    ),
    "<WANTV>": (
        r"(?:want|wants|wanted|wanting|wish|wished|wishes|wishing|ready|prefer|"
        r"deserve|deserves|deserved|need|needs|going|planning|plan|plans|hope|"
        r"hoping|like|would like|would love|long|longing|would rather|decided|"
        r"tempted|urge|urges|tried|trying|try|about|meant|supposed|"
        r"feel like|felt like|feeling like|should|would|could|might|will)"
    ),
    "<KILLV>": (
        r"(?:kill|kills|killed|killing|unalive|unalived|unaliving|end|ends|ended|ending|off|offed|offing|"
        r"top|topped|topping|hang|hangs|hanged|hung|hanging|shoot|shoots|shot|"
        r"shooting|drown|drowns|drowned|drowning|poison|poisoned|poisoning|"
        r"suffocate|suffocated|suffocating|strangle|strangled|strangling|"
        r"stab|stabbed|stabbing|delete|deleted|deleting|neck|necked|necking|"
        r"rope|roped|roping|yeet|yeeted|overdose|overdosed|overdosing|"
        r"electrocute|electrocuted|gas|gassed|smother|smothered|do|did|doing)"
    ),
    "<SHV>": (
        r"(?:cut|cuts|cutting|slice|slicing|sliced|carve|carving|carved|burn|"
        r"burns|burning|burned|burnt|scratch|scratching|scratched|scrape|"
        r"scraping|scraped|hit|hits|hitting|punch|punching|punched|bite|biting|"
        r"bruise|bruising|bruised|harm|harms|harming|harmed|hurt|hurts|hurting|"
        r"injure|injuring|injured|mutilate|mutilating|mutilated|starve|starving|"
        r"starved|punish|punishing|punished|choke|choking|choked|slap|slapping|"
        r"slapped|smack|smacking|whip|whipping|pierce|stick|sticking)"
    ),
    "<BODY>": (
        r"(?:arm|arms|wrist|wrists|leg|legs|thigh|thighs|stomach|belly|skin|hip|"
        r"hips|ankle|ankles|body|forearm|forearms|chest|hand|hands|shoulder|"
        r"shoulders|face|neck|side|sides|ribs|feet|foot|fingers|knuckles)"
    ),
    "<PILLS>": (
        r"(?:pills|pill|tablets|tablet|meds|medication|medications|medicine|"
        r"painkillers|pain killers|xanax|benzos|tylenol|paracetamol|advil|"
        r"ibuprofen|aspirin|acetaminophen|oxy|oxycodone|oxycontin|percocet|"
        r"vicodin|valium|klonopin|ambien|lithium|insulin|seroquel|"
        r"antidepressants|opioids|opiates|prescriptions|sleeping pills|"
        r"sleeping tablets|sleep aids|morphine|codeine|tramadol|lorazepam|"
        r"diazepam|zoloft|prozac|lexapro|trazodone|gabapentin|methadone|"
        r"fentanyl|heroin|dope)"
    ),
    "<HARMV>": (
        r"(?:kill|murder|unalive|stab|shoot|strangle|choke|hurt|harm|beat|beat up|"
        r"attack|poison|run over|smash|bash|drown|suffocate|smother|torture|"
        r"slit|cut|burn|break|knife|shank|batter|maim|punch|hit|end|"
        r"beat the (?:crap|shit|hell|living daylights|snot|life) out of|"
        r"kick the (?:crap|shit|hell) out of|kick (?:his|her|their) ass|"
        r"take out|blow up|shoot up|get rid of|bury|shake|throw|drop|squeeze)"
    ),
    "<HARMING>": (
        r"(?:killing|murdering|stabbing|shooting|strangling|choking|hurting|"
        r"harming|beating|attacking|poisoning|running over|smashing|bashing|"
        r"drowning|suffocating|smothering|torturing|slitting|cutting|burning|"
        r"breaking|knifing|shanking|punching|hitting|ending|taking out|"
        r"blowing up|getting rid of|burying)"
    ),
    "<VICTIM>": (
        r"(?:him|her|them|everyone|everybody|people|someone|somebody|anyone|"
        r"children|kids|babies|a baby|a child|women|men|strangers|"
        r"others|other people|all of them|the lot of them|"
        r"(?:that|this|the|those|these) (?:guy|man|woman|girl|boy|kid|kids|"
        r"bitch|bastard|asshole|jerk|bully|bullies|people|guys|girls|"
        r"teacher|neighbor|neighbour|baby|child|children|class|school|office)|"
        r"(?:my|his|her|their|our|your) (?:ex|wife|husband|boyfriend|girlfriend|partner|boss|coworker|"
        r"coworkers|colleague|colleagues|manager|supervisor|dad|father|stepdad|"
        r"stepfather|mom|mother|stepmom|stepmother|brother|sister|son|daughter|"
        r"baby|babies|kids|children|child|neighbor|neighbour|neighbors|"
        r"neighbours|roommate|teacher|teachers|landlord|family|parents|"
        r"in laws|mother in law|father in law|friend|bully|uncle|aunt|cousin|"
        r"classmates|classmate|ex husband|ex wife|ex boyfriend|ex girlfriend|"
        r"twin|grandma|grandpa|newborn|infant|toddler)|"
        r"(?:his|her|their) (?:new )?(?:boyfriend|girlfriend|wife|husband))"
    ),
    "<PARTNER>": (
        r"(?:husband|wife|boyfriend|girlfriend|partner|fiance|fiancee|spouse|"
        r"ex|ex husband|ex wife|ex boyfriend|ex girlfriend|ex partner|"
        r"baby daddy|baby mama)"
    ),
    "<RELATIVE>": (
        r"(?:dad|father|stepdad|stepfather|mom|mother|stepmom|stepmother|"
        r"parents|parent|uncle|aunt|grandpa|grandfather|grandma|grandmother|"
        r"brother|sister|stepbrother|stepsister|cousin|babysitter|nanny|coach|"
        r"teacher|priest|pastor|caregiver|carer|aide|nurse|son|daughter|"
        r"son in law|daughter in law|foster mom|foster dad|foster parents|"
        r"foster mother|foster father|guardian|tutor|neighbor|neighbour|"
        r"moms boyfriend|mom boyfriend|mothers boyfriend|mother boyfriend|"
        r"family|brother in law|grandson|granddaughter|nephew|niece|"
        r"stepson|stepdaughter|home help|helper)"
    ),
    "<THEYWHO>": r"(?:he|she|they|it)",
}
MACROS["<ABUSER>"] = (
    r"(?P<abuser>he|she|they|(?:my|his|her|our|their|the) (?:"
    + MACROS["<PARTNER>"][3:-1]
    + "|"
    + MACROS["<RELATIVE>"][3:-1]
    + r"))"
)
MACROS["<VICT>"] = (
    r"(?:me|us|my (?:little |baby |younger |older |big )?(?:mom|mother|sister|"
    r"brother|siblings|sisters|brothers|kids|children|son|daughter|baby|"
    r"grandma|grandmother|grandpa|grandfather|dad|father|wife|husband|"
    r"family|twin|niece|nephew|kid|child)|the (?:kids|children|baby|child)|"
    r"him|her|them|grandma|grandpa)"
)


MACROS["<NEG>"] = (
    r"(?:(?P<neg>do not|does not|did not|would not|will not|would never|will "
    r"never|could never|never|am not|is not|was not|are not|have never|has "
    r"never|had never|not|no longer) )?"
)
LABELS = {
    SI: "suicidal ideation",
    SH: "self-harm",
    HO: "harm to others",
    AB: "abuse or neglect",
    IPV: "intimate-partner violence",
    SUB: "overdose or substance crisis",
    CMD: "command hallucinations",
}


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    severity: RiskSeverity
    # whose act decides: a third person's own ideation is reported, not the
    # client's (lower); an abuser's act on the client is not
    self_directed: bool
    # a context the piece must show for the rule to count at its severity
    needs: re.Pattern[str] | None = None


_GAP = re.compile(r"<G(\d)>")


def _compile(source: str) -> re.Pattern[str]:
    # each gap is a named group: a negation inside a gap ("the voices do not
    # tell me to...") is a denial, a negation written in the pattern is not
    count = 0

    def gap(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return rf"(?P<gap{count}>(?:{W} ){{0,{match.group(1)}}})"

    source = _GAP.sub(gap, source)
    for name, body in MACROS.items():
        if "(?P<" in body and name in source:
            # a named group: only its first use keeps the name
            first, _, rest = source.partition(name)
            unnamed = re.sub(r"\(\?P<\w+>", "(?:", body)
            source = first + body + rest.replace(name, unnamed)
        source = source.replace(name, body)
    return re.compile(rf"(?<![a-z0-9])(?:{source})(?![a-z0-9])")


def rule(
    kind: str,
    source: str,
    severity: RiskSeverity = HIGH,
    *,
    self_directed: bool = True,
    needs: str | None = None,
) -> Rule:
    context = re.compile(needs) if needs else None
    return Rule(kind, _compile(source), severity, self_directed, context)
