"""Risk screen rules for harm to others, abuse and neglect, intimate-partner
violence, overdose and substance crisis, and command hallucinations (see
services/risk_lexicon.py for the word families and the instruments)."""

from __future__ import annotations

from services.risk_lexicon import AB, CMD, HO, IPV, MEDIUM, SUB, Rule, rule

_SUBJ = r"(?:(?P<subj>i|we|he\b|she\b|they|my [a-z]+|someone|somebody|you) )?"
_INTENT = (
    r"(?:want to|wanted to|wants to|wanting to|going to|is going to|am going "
    r"to|was going to|will|would love to|would like to|plan to|plans to|"
    r"planning to|planned to|intend to|intending to|mean to|need to|have to|"
    r"ready to|about to|urge to|urges to|tempted to|dream of|dream about|"
    r"dreaming about|dreaming of|fantasi[sz]e about|fantasi[sz]ing about|"
    r"fantasi[sz]ed about|imagine|imagining|imagined|picture|picturing|keep "
    r"thinking about|thinking about|think about|thought about|thought of|"
    r"thinking of|think of|considering|considered|swear i will|swear i would|"
    r"should|feel like|felt like|feeling like|decided to|gonna|try to|"
    r"tried to|trying to|wish i could|obsessing over|obsessing about|"
    r"will not stop thinking about|can not stop thinking about|"
    r"could not stop thinking about|scared i will|scared i might|afraid i "
    r"will|afraid i might|worried i will|worried i might|terrified i will|"
    r"terrified i might)"
)
_NOT_THING = (
    r"(?! (?:time|it|this|that|the (?:mood|vibe|lights|engine|music|process|"
    r"app|bug|project|idea|deal|game|competition|interview|presentation|exam|"
    r"test|set|performance|pain|buzz|conversation|rumou?r|plant|plants)))"
)

HARM_OTHERS: list[Rule] = [
    rule(
        HO,
        rf"{_SUBJ}<NEG><A>{_INTENT} <A><HARMV> <A><VICTIM>(?! (?:at|in\b) (?:chess|"
        r"cards|tennis|a game|the game|fortnite|poker|golf|pool|scrabble))",
    ),
    rule(HO, rf"{_SUBJ}<NEG><A>{_INTENT} <A><HARMING> <A><VICTIM>"),
    rule(
        HO,
        rf"{_SUBJ}<NEG><A>(?:could|might|would) <A>(?:kill|murder|strangle|stab|"
        r"shoot|hurt) <VICTIM>(?! for)",
        MEDIUM,
    ),
    rule(HO, rf"{_SUBJ}(?:would|will|could) (?P<neg>never|not) <A><HARMV> <VICTIM>"),
    rule(
        HO,
        rf"{_SUBJ}<NEG><A>{_INTENT} <A>(?:kill|murder|stab|shoot|strangle) "
        rf"(?!(?:me|you|us|myself|yourself|himself|herself|themselves|ourselves)\b)[a-z]+(?= *(?:,|$|and\b|but\b|because\b|with\b|if\b|when\b|so\b|i\b)){_NOT_THING}",
    ),
    rule(
        HO,
        r"homicidal|(?:thoughts|urges|urge|fantasies|images|impulses|visions) "
        r"(?:of|about|to\b) <A><HARMING> <A>(?:<VICTIM>|others|my baby|the baby)|"
        r"(?:urges|urge|impulse|impulses) to <A><HARMV> <A>(?:<VICTIM>|others)",
    ),
    rule(
        HO,
        r"shoot up (?:the|my\b|a|his|her|our) (?:school|office|work|workplace|"
        r"church|mall|place|class|party|building|store)|(?:school|mass|office) "
        r"shooting|(?:bring|bringing|brought|take|taking|took) (?:a |my |dad s |"
        r"the |my dad s |his )?(?:gun|guns|rifle|knife|weapon|bomb|pistol) "
        r"(?:to|into) (?:school|work|the office|class|church|the mall|"
        r"the party)|(?:make|making|made|build|building) (?:a |the )?(?:bomb|"
        r"pipe bomb|explosive)|take (?:them|everyone|everybody|people) (?:all )?"
        r"(?:out )?with me|kill (?:them|everyone|everybody|her|him|the kids) "
        r"(?:and|then) (?:then )?(?:myself|me)",
    ),
    rule(
        HO,
        r"(?:want|wanted|need) (?:him|her|them|my [a-z]+|that [a-z]+) dead|"
        r"(?:make|making|made) (?:him|her|them|my [a-z]+) (?:suffer|bleed|"
        r"pay for (?:this|that|it|what)|regret being born)",
    ),
    rule(
        HO,
        r"wish (?:he|she\b|they|my [a-z]+|that [a-z]+) (?:was|were|would) "
        r"(?:dead|die|drop dead)",
        MEDIUM,
    ),
    rule(
        HO,
        r"(?:set|setting|light|lighting|burn|burning|burned|torch|torching) (?:down )?"
        r"(?:my [a-z]+ |his |her |their |the |that )?(?:[a-z]+ )?(?:house|home|car|"
        r"flat|apartment|place|school|office|shop)(?: down)? ?(?:on fire|down|to the "
        r"ground)?(?= *(?:,|$|and\b|but\b|with|while|tonight|when))",
        needs=r"\b(?:want|wanna|going to|thinking|thought|plan|planning|fantasi|"
        r"will|gonna|dream|imagine|about to|tempted|urge)\w*",
    ),
    rule(
        HO,
        r"(?:kill|hurt|stab|shoot|murder|beat|strangle) (?:him|her|them|you|my [a-z]+) "
        r"<G4>(?:i meant it|i mean it|i am serious|i am not joking|not joking|i "
        r"will do it)|(?:use|using|used) (?:it|the knife|a knife|my knife|the gun|my "
        r"gun|a gun|the bat|a bat) on (?:him|her|them|my [a-z]+|people|someone|"
        r"somebody|that [a-z]+)",
    ),
    rule(
        HO, r"i know where (?:he|she\b|they) (?:lives|live|works|sleeps|parks)", MEDIUM
    ),
]

ABUSE: list[Rule] = [
    # an abuser's act on the client or on a child, elder or dependent
    rule(
        AB,
        r"<ABUSER> <NEG><G4>(?:always |keeps |kept |sometimes |still |used to |would |"
        r"will |has |had |started |starts |likes to |gets drunk and |drinks and "
        r")?(?:hits|hit|hitting|beats|beat|beating|beat up|beats up|slaps|"
        r"slapped|slapping|punches|punched|punching|kicks|kicked|kicking|"
        r"chokes|choked|choking|strangles|strangled|strangling|shoves|shoved|"
        r"shoving|whips|whipped|bites|hurts|hurt|hurting|abuses|abused|"
        r"abusing|molests|molested|molesting|rapes|raped|raping|smacks|"
        r"smacked|spanks|spanked|belts|belted|starves|starved|threatens|"
        r"threatened|threatening|batters|battered|assaulted|assaults|"
        r"strikes|struck|throttled|throttles|pins|pinned) <A><VICT>"
        r"(?! (?:up|at (?:chess|cards|tennis|games|poker|golf|pool)|to it|"
        r"with (?:the|a) (?:news|question|truth|bill|pillow|ball|snowball|water "
        r"balloon|cushion)|back|playfully|jokingly|by accident|accidentally|"
        r"during (?:a|the) (?:game|match|pillow fight)|(?:in|on) the (?:arm|"
        r"shoulder) (?:as a joke|for fun|playfully|jokingly)|as a joke|for fun))",
        self_directed=False,
    ),
    rule(
        AB,
        r"<ABUSER> <NEG><A>(?:pushed|pushes|pushing|shoved|threw|throws|grabbed|grabs|"
        r"dragged|drags|slammed|slams|knocked|pinned) <VICT> (?:down|against|"
        r"into (?:the |a )?(?:wall|door|table|car|floor|ground)|over|off|to the "
        r"(?:ground|floor)|onto|across|by the (?:hair|throat|neck|arm|wrist)|"
        r"out of (?:the|a) (?:car|house|window)|on the (?:bed|floor|ground))",
        self_directed=False,
    ),
    rule(
        AB,
        r"<ABUSER> <A>(?:threw|throws|throwing|hurled|hurls) <G3>at (?:me|us|my "
        r"[a-z]+|her|him)|(?:hands|hand|fingers) (?:around|on|round) my "
        r"(?:neck|throat)|(?:put|puts|laid|lays|putting) (?:his|her|their)? "
        r"?hands on (?:me|us|my [a-z]+|her|him)|(?:gets|got|getting|is|was|"
        r"being) (?:really |very |so |too )?(?:rough|physical|violent) with "
        r"(?:me|us|her|him|them|the kids|the baby|my [a-z]+)",
        self_directed=False,
    ),
    rule(
        AB,
        r"molest(?:ed|ing|s|er)?|(?:he|she\b|they|someone|somebody|[a-z]+) "
        r"raped|(?:was|got|been|being) raped|rape(?! (?:scene|culture|"
        r"joke|jokes|case|trial|kit in the show))|sexual(?:ly)? "
        r"(?:abuse|abused|abusing|assault|assaulted|touched)|(?:abused|abusing|"
        r"abuses|assaulted) me|(?:being|was|were|been|got|getting) "
        r"(?:abused|beaten|beat up|hit|assaulted)(?! (?:by (?:a|the) "
        r"(?:ball|wave|car)|in (?:the|a) (?:game|match)))|abusive"
        r"(?! (?:language|comments on|review))|incest|groom(?:ed|ing) me",
        self_directed=False,
    ),
    rule(
        AB,
        r"(?:touch|touches|touched|touching|fondle|fondles|fondled|fondling) "
        r"(?:me|my\b|her|him|us) <G2>(?:inappropriately|down there|in (?:my |her |"
        r"his )?(?:private|privates|private parts|places|ways)|where (?:i|she\b|he\b)"
        r" (?:did not|do not|does not) (?:want|like)|under (?:my|her|his) "
        r"(?:clothes|shirt|skirt|pants|dress|underwear)|when (?:i|she\b|he\b) (?:was|"
        r"am|is) (?:asleep|sleeping|little|a kid|young|small)|at night|sexually)|"
        r"touch(?:es|ed|ing)? (?:my|her|his) (?:private|privates|private parts|"
        r"breasts|chest|butt|bottom|genitals|crotch)|(?:made|makes|make|making|"
        r"forced|forces) (?:me|us|her|him) (?:to )?(?:touch (?:him|her|his|it)|"
        r"watch (?:porn|him|them|videos)|take off my|undress|sit on (?:his|her) "
        r"lap|kiss (?:him|her)|do (?:sexual|things)|have sex|send (?:him|her) "
        r"(?:pictures|photos|nudes))|our (?:little |special )?secret|"
        r"(?:comes|came|coming|sneaks|snuck|creeps|crept) into my (?:room|bed) "
        r"at night",
        self_directed=False,
    ),
    rule(
        AB,
        r"<ABUSER> <NEG><G4>(?:touches|touched|touching|fondles|fondled|fondling|"
        r"gropes|groped|groping|feels up|felt up|kisses|kissed|undresses|"
        r"undressed|watches|watched|photographs|photographed|films|filmed) "
        r"(?:me|my [a-z]+|her|him|us|the kids|the children)(?! (?:on the "
        r"(?:shoulder|arm|back|hand|head|cheek)|to get|gently|goodnight|good "
        r"night|goodbye|play|at (?:school|work)|in the (?:play|game|recital)|"
        r"perform|dance|sing|swim))",
        self_directed=False,
    ),
    rule(
        AB,
        r"(?:nurse|nurses|aide|aides|carer|carers|caregiver|caregivers|staff|"
        r"worker|workers|helper|home help|babysitter|nanny|attendant) <G6>"
        r"(?:hits|hit|slaps|slapped|beats|beat|pushes|pushed|shoves|shoved|"
        r"pinches|pinched|kicks|kicked|hurts|hurt|yells at|screams at|ties down|"
        r"tied down|restrains|restrained|drugs|drugged|starves|starved|ignores|"
        r"neglects|neglected|is rough with|was rough with) (?:her|him|them|me|"
        r"my [a-z]+|the residents|residents|patients|the kids|the children|"
        r"grandma|grandpa|us)",
        self_directed=False,
    ),
    rule(
        AB,
        r"(?:comes|came|coming|walks|walked|walking|barges|barged|sneaks|snuck) "
        r"(?:in|into) (?:the bathroom|my room|my bedroom|the shower|our room) (?:when|"
        r"while) i (?:am )?(?:shower|showering|in the shower|bathe|bathing|undress|"
        r"undressing|changing|change|sleep|sleeping|asleep|getting dressed)|"
        r"(?:asks|asked|asking|wants|wanted|makes|made|tells|told|pressures|"
        r"pressured|begs|begged) me to send (?:him |her |them )?(?:pictures|photos|"
        r"nudes|pics|videos|some back|naked)|(?:sends|sent|sending|shows|showed) me "
        r"(?:nudes|naked pictures|naked photos|porn|pictures of (?:himself|herself)|"
        r"photos of (?:himself|herself)|his private|her private)|(?:leaves|left|"
        r"leaving) (?:bruises|marks|welts|burns|scratches|cuts) on (?:her|his|my|"
        r"their|me|the kids|the baby)",
        self_directed=False,
    ),
    rule(
        AB,
        r"(?:makes|made|forces|forced|pressures|pressured|tells|told) me (?:to )?do "
        r"(?:stuff|things|something|sexual things|stuff to him|things to him|things "
        r"to her)(?: that)? (?:i (?:do not|did not) (?:want|like)|to him|to her)",
        self_directed=False,
    ),
    # neglect (ACE, EASI)
    rule(
        AB,
        r"(?:no|not enough|never any|never enough|nothing (?:<TO>|left to)|no "
        r"real) (?:food|eat|dinner|meals)(?: in the (?:house|fridge|cupboard))?"
        r" (?:for (?:days|a few days|two days|three days|a week|the whole "
        r"weekend|weeks)|again|at home)|(?:have not|has not|did not|had not) "
        r"(?:eaten|had food|had a meal) (?:in|for\b) (?:days|two days|three days|"
        r"a week)|(?:nobody|no one|never) (?:feeds|fed|takes care of|looks "
        r"after|cooks for) (?:me|us|her|him|them|the kids)|(?:does not|will "
        r"not|never|stopped|forgets to|forgot to) (?:feed|feeds|feeding) (?:me|"
        r"us|the kids|them|her|him|the baby|my [a-z]+)",
        self_directed=False,
    ),
    rule(
        AB,
        r"(?:is|are|was|were|being|gets|get|got|kept|keeps) (?:locked|shut) "
        r"(?:in|inside) (?:his|her|their|my|the|a) (?:room|bedroom|closet|cupboard|"
        r"basement|bathroom|cellar|shed|garage|attic|cage)|(?:without|no|with no) "
        r"(?:food|water|meals|eating|anything to eat)(?: or water)? (?:all day|for "
        r"(?:days|hours|a day|two days|three days|the whole day)|all weekend|all "
        r"night)|"
        r"(?:left|leaves|leaving|leave) (?:me|us|the kids|the children|my "
        r"(?:little )?(?:brother|sister|siblings|brothers|sisters|kids|baby)|"
        r"the baby|him|her|them|grandma|grandpa|dad|mom) (?:home )?alone "
        r"(?:for (?:days|hours|the (?:whole )?(?:weekend|night|day)|a week|"
        r"two days|three days|overnight)|all (?:night|weekend|day)|at night|"
        r"overnight|with no food)|(?:locked|locks|locking|lock) (?:me|us|the "
        r"kids|him|her|them|grandma|grandpa|my [a-z]+) (?:in|inside) (?:the|a|"
        r"my|his|her|their) (?:room|closet|cupboard|basement|bathroom|cellar|"
        r"shed|garage|attic|cage)",
        self_directed=False,
    ),
    rule(
        AB,
        r"<ABUSER> <G3>(?:takes|took|taking|steals|stole|stealing|uses|used|using|"
        r"spends|spent|keeps|kept) (?:all )?(?:of )?(?:her|his|my\b|grandmas|grandpas|grandma|"
        r"grandpa|moms|dads|mom|dad|mothers|fathers) (?:money|pension|social "
        r"security|checks|savings|benefits|bank card|debit card|credit card|"
        r"medication|meds|pills)(?! (?:to (?:the|a) (?:bank|pharmacy|store)|"
        r"for (?:her|him|me)))|(?:will not|does not|never|wont|refuses to) let "
        r"(?:her|him|me|grandma|grandpa|mom|dad|my [a-z]+) (?:eat|see a doctor|go "
        r"to the doctor|have (?:her|his|my\b) (?:meds|medication|pills|glasses|"
        r"hearing aids?|walker|wheelchair)|leave (?:her|his|the|my\b) (?:room|bed|"
        r"house)|call anyone|see anyone)|(?:forced|forcing|forces|made|making|"
        r"pressured|pressuring|pressures) (?:her|him|me|grandma|grandpa|mom|dad)"
        r" (?:to )?sign|(?:bed ?sores|pressure sores)|(?:sitting|lying|left) in "
        r"(?:her|his|their|my\b) own (?:urine|waste|feces|faeces|poop|pee|mess)",
        self_directed=False,
    ),
    rule(
        AB,
        r"(?:bruises|bruise|marks|welts|black eye|black eyes|burns|cuts|belt "
        r"marks|handprints?) (?:from|because of|after|where) (?:him|her|them|my "
        r"[a-z]+|when (?:he|she\b)|(?:he|she\b|they) (?:hit|hits|grabbed|kicked|"
        r"beat|punched|slapped|choked))|(?:hit|hits|beat|beats|whip|whips|"
        r"whipped|smacked|smacks) (?:me|us|him|her|them|my [a-z]+) with (?:a |"
        r"the |his |her )?(?:belt|cord|wire|extension cord|shoe|hanger|stick|"
        r"spoon|wooden spoon|paddle|fist|bat|bottle|plate|hose|switch|ruler)",
        self_directed=False,
    ),
]

PARTNER: list[Rule] = [
    rule(
        IPV,
        r"(?:(?:threatened|threatens|threatening|threaten) (?:me )?(?:that )?"
        r"(?:he|she\b|they|to\b) ?|(?:swore|swears|said|says|told me|warned me|warns "
        r"me|texted me|screamed|yelled) (?:that )?(?:he|she\b|they) )(?:would |"
        r"will |is going to |was going to |could |might )?(?:kill|hurt|shoot|"
        r"stab|strangle|choke|beat|burn|take the kids|take my kids|take the "
        r"baby|end)(?: (?:me|us|my (?:kids|children|baby|son|daughter|family|mom|"
        r"dog|cat)|the kids|the baby|himself|herself|themselves))?",
        self_directed=False,
    ),
    rule(
        IPV,
        r"(?:scared|afraid|terrified|frightened|worried|fear|fearing) (?:that )?"
        r"(?:my [a-z]+|he|she|they|him|her) (?:is going to|will|might|would|could|"
        r"wants to|is gonna|is trying to|is about to) (?:kill|hurt|beat|shoot|stab|"
        r"strangle|choke|murder|find|take) (?:me|us|my [a-z]+|the kids|the baby)",
        self_directed=False,
    ),
    rule(
        IPV,
        r"(?:kill|hurt|shoot|stab|beat|find) (?:me|us) if i (?:ever )?(?:leave|left|"
        r"tell|told|go|call|report|try|talk|say|come|see|speak|leaving|tried)",
        self_directed=False,
    ),
    rule(
        IPV,
        r"(?:will not|does not|never|refuses to|would not) (?:let|allow) me "
        r"(?:to )?(?:leave|go out|see (?:my )?(?:friends|family|mom|parents|"
        r"sister)|have (?:my own )?(?:money|a phone|a job|a car|friends|keys|"
        r"a bank account)|talk to|work|use (?:my|the) phone|drive|out of the "
        r"house|sleep|eat)|(?:controls|controlling|tracks|tracking|monitors|"
        r"monitoring) (?:all )?(?:of )?my (?:money|phone|bank|cards|location|"
        r"car keys|keys|passport|paycheck|paycheque|wages|documents|id|"
        r"messages|calls|every move)",
        self_directed=False,
    ),
    rule(
        IPV,
        r"(?:takes|took|hides|hid|keeps|kept|checks|checked|goes through|went "
        r"through|reads) (?:all )?(?:of )?my (?:money|phone|bank|cards|car keys|"
        r"keys|passport|paycheck|paycheque|wages|documents|id|messages|texts)"
        r"(?! (?:for (?:me|safekeeping)))",
        self_directed=False,
        needs=r"\b(?:husband|wife|boyfriend|girlfriend|partner|fiance|fiancee|"
        r"spouse|ex)\b",
    ),
    rule(
        IPV,
        r"(?:scared|afraid|terrified|frightened|fear) (?:of|to go home|to be home|"
        r"to leave|of what (?:he|she\b|they) (?:will|would|might|could) do|for my "
        r"(?:life|safety)|he will|she will|he would|she would)(?: (?:to |of )?"
        r"(?:him|her|my (?:<PARTNER>|dad|father|stepdad|mom|mother)))?"
        r"(?= *(?:,|$|and\b|but\b|because\b|if\b|when\b|i\b|he\b|she\b|so\b))|not safe at home|"
        r"(?:do not|does not|never) feel safe (?:at home|with (?:him|her|my "
        r"[a-z]+))",
        self_directed=False,
    ),
    rule(
        IPV,
        r"forced (?:himself|herself) on me|(?:forced|forces|forcing|made|makes|"
        r"pressured|pressures) me (?:to )?(?:have sex|sleep with|do sexual|do "
        r"things i did not want)|(?:would not|did not|does not|will not) stop "
        r"when i (?:said|say|told him|told her) (?:no|stop)|sex when i (?:did "
        r"not|do not) want",
        self_directed=False,
    ),
    rule(
        IPV,
        r"(?:restraining|protective|protection) order|(?:call|called|calling) the "
        r"(?:police|cops) on (?:him|her|my [a-z]+)|(?:women s |dv |domestic "
        r"violence )?shelter (?:for (?:women|abused)|to get away)|"
        r"(?:split lip|broken (?:rib|ribs|nose|jaw|arm|wrist)|black eye) "
        r"(?:from|because of|after|when\b) (?:him|her|he\b|she\b|my [a-z]+)|(?:he|she\b) "
        r"(?:gave|left) me (?:a )?(?:black eye|split lip|bruises|a concussion)",
        self_directed=False,
    ),
    rule(
        IPV,
        r"domestic (?:violence|abuse)|walking on eggshells|coercive control",
        MEDIUM,
        self_directed=False,
    ),
]

SUBSTANCE: list[Rule] = [
    rule(
        SUB,
        r"(?:took|take|taking|swallowed|popped|downed|with|on top of|and) (?:my |"
        r"some |a few |the |all my |all of my |a couple of )?<PILLS>",
        needs=r"\b(?:drank|drinking|drunk|vodka|whiskey|whisky|wine|beer|"
        r"alcohol|booze|liquor|tequila|rum|gin|wasted|hammered)\b",
    ),
    rule(
        SUB,
        r"(?:mix|mixed|mixing|combine|combined|combining|took|taking|take) <PILLS> "
        r"(?:and|with|plus|on top of) (?:my |some |the )?<PILLS>",
    ),
    rule(
        SUB,
        r"(?:using|used|use|shooting up|shot up|smoking|smoked|snorting|snorted|"
        r"taking|took|doing|did) <G3>(?:alone|by myself|on my own)",
        needs=r"\b(?:fentanyl|heroin|dope|meth|crack|opioids|oxy|pills|coke|"
        r"cocaine|using|shoot|shooting|needle|needles|benzos|xanax|drugs)\b",
    ),
    rule(
        SUB,
        r"(?:using|used|use|shooting|shot|smoking|snorting|taking|took|doing|did|"
        r"bought|buying|scored|scoring) (?:some |a lot of |more |so much )?"
        r"(?:fentanyl|heroin|dope|meth|crack|smack|opioids|opiates)",
        MEDIUM,
    ),
    rule(
        SUB,
        r"(?<!the )(?:overdose|overdosed|overdosing|overdoses)(?! (?:crisis|"
        r"epidemic|deaths|rates?|prevention|awareness|statistics|training|kits?|"
        r"reversal|figures|numbers))(?! on (?:coffee|caffeine|"
        r"sugar|candy|netflix|tv|chocolate|cake|carbs|pizza|memes|love|sleep|"
        r"work|social media|drama|cuteness|content|nostalgia|anime|shopping|"
        r"vitamin|energy drinks))",
    ),
    rule(
        SUB,
        r"(?:took|take|taking|takes|swallowed|swallow|swallowing|popped|pop|popping|"
        r"downed|down|ate|chugged|necked|had) (?:a bunch|a handful|handfuls|a lot|"
        r"lots|too many|way too many|all|all of|the whole bottle|a whole bottle|"
        r"a bottle|the bottle|the rest|the entire|entire|half the bottle|half a "
        r"bottle|a box|boxes|dozens|a pile|a ton|like [0-9a-z]+|[0-9]+|twenty|"
        r"thirty|forty|fifty|sixty|ten|fifteen|a whole|double|triple|a full|"
        r"the whole|every|more|extra|an entire|the entire|loads|tons|a few "
        r"extra) (?:of )?(?:my |her |his |the |mom s |dad s |mom |dad |those |"
        r"these |them |sleeping |pain |bottle of |box of |packet of |pack of |"
        r"strip of )*(?:[a-z]+ )?<PILLS>(?! (?:this morning|today|on time|as "
        r"prescribed|like (?:the|my\b) doctor|every (?:day|morning|night)|"
        r"regularly|with (?:food|water|breakfast)|correctly|at (?:once|the same "
        r"time) as prescribed|to the pharmacy))",
    ),
    rule(
        SUB,
        r"(?:mix|mixed|mixing|combine|combined|combining|with\b|and\b|plus|on top of) "
        r"(?:my |the |some |a few |a couple of )?(?:<PILLS>|bars|sleepers|downers|"
        r"coke|cocaine) (?:with|and\b|on top of|plus) (?:a |some |the |lots of |"
        r"a bottle of |a fifth of )?(?:alcohol|booze|vodka|whiskey|whisky|wine|"
        r"beer|drinking|drinks|liquor|tequila|rum|gin)|(?:alcohol|booze|vodka|"
        r"whiskey|wine|beer|drinking|drinks|liquor) (?:with|and\b|on top of|plus) "
        r"(?:my |the |some )?(?:<PILLS>|bars)",
    ),
    rule(
        SUB,
        r"narcan|naloxone|(?:laced|cut|mixed) with fentanyl|(?:stopped|stop|"
        r"stops) breathing|turn(?:ed|ing)? blue|withdrawal (?:seizures?|fits|"
        r"shakes)|(?:seizures?|fits) (?:from|when\b|because of|after) "
        r"(?:withdrawal|detox|coming off|stopping|quitting)|delirium tremens|"
        r"\bdts\b|(?:drink|drank|drinking|use|used|using) until i (?:black out|"
        r"blacked out|pass out|passed out|can not feel|do not feel|forget|do not "
        r"remember)|(?:relapsed|relapse|relapsing|slipped|using again|back on) "
        r"(?:on |with |into )?(?:heroin|meth|fentanyl|opioids|oxy|pills|coke|"
        r"cocaine|crack|alcohol|drinking|dope|smack|benzos|xanax|the needle|"
        r"needles|percocet|opiates)|(?:started|am|been|was) using again|"
        r"(?:shooting|shot) up (?:heroin|dope|meth|again|alone|in\b)",
    ),
    rule(
        SUB,
        r"(?:woke up|came to|ended up|wound up|landed|was rushed|taken|rushed) "
        r"(?:in|to\b) (?:the )?(?:hospital|er|emergency room|emergency|icu|"
        r"ambulance|a e|detox)(?! (?:after|for\b) (?:my |a |the )?(?:knee|hip|back|"
        r"surgery|operation|procedure|birth|baby|accident|fall))|(?:found me|was found|i was|found him|found her) "
        r"(?:unconscious|unresponsive|not breathing|blue|passed out|out cold|on "
        r"the (?:floor|bathroom floor))|(?:blacked|black) out(?! (?:the|my\b|our|a|"
        r"some) )|blackouts|"
        r"(?:can not|could not) stop (?:drinking|using|taking (?:the )?(?:pills|"
        r"oxy|xanax))|(?:drunk|high|wasted|hammered) (?:and|while) (?:driving|"
        r"drove)|(?:using|used|use|shoot up|shot up) (?:alone|by myself)",
        MEDIUM,
    ),
    rule(
        SUB,
        r"(?:shaking|shakes|tremors|trembling|sweats|sweating|seeing things|"
        r"hallucinating|seizures?|fits)(?! (?:with|from) (?:laughter|excitement|"
        r"nerves|cold))",
        needs=r"\b(?:drink|drinking|drank|vodka|whiskey|whisky|alcohol|booze|wine|"
        r"beer|withdrawal|detox|sober|using|heroin|benzos|xanax|opioids|pills)\b",
    ),
    rule(
        SUB,
        r"(?:can not|could not|can t) stop (?:using|taking|smoking|snorting|shooting "
        r"up|doing)|(?:been )?up for (?:two|three|four|five|six|seven|[0-9]+) "
        r"(?:days|nights)|heart (?:is |was |keeps )?(?:racing|pounding|stopping|"
        r"skipping|going crazy)|chest pains?|(?:can not|could not) breathe",
        needs=r"\b(?:meth|heroin|fentanyl|crack|coke|cocaine|opioids|oxy|speed|"
        r"molly|mdma|ecstasy|ketamine|xanax|benzos|pills|dope|smack|amphetamines?|"
        r"adderall|using|snorting|high)\b",
    ),
    rule(
        SUB,
        r"(?:took|taken|had|take|taking|drank|used) (?:way )?too (?:much|many)",
        needs=r"\b(?:unconscious|unresponsive|hospital|ambulance|er|overdose|"
        r"overdosed|not breathing|passed out|stomach pumped|narcan|naloxone|"
        r"poison control|collapsed|blacked out|seizure)\b",
    ),
    rule(
        SUB,
        r"(?:drinking|drank|drink|drinks) (?:a |two |three )?(?:fifth|handle|bottle|"
        r"bottles|whole bottle)(?: of (?:vodka|whiskey|whisky|wine|rum|gin|"
        r"tequila|liquor))? (?:a|every|each) (?:day|night)|(?:drinking|using) "
        r"(?:from|first thing in) (?:the )?morning|(?:drinking|using|drink|use) "
        r"to (?:get through|numb|forget|black out|pass out|not feel|stop feeling)",
        MEDIUM,
    ),
]

VOICES: list[Rule] = [
    rule(
        CMD,
        r"(?:voice|voices|whisper|whispers|whispering|god|the devil|devil|satan|"
        r"demon|demons|spirit|spirits|"
        r"angel|angels|the radio|the tv|the television|a man in my head|someone in "
        r"my head|something in my head|things in my head|someone inside me|"
        r"something inside me|they in my head|in my head) <G4>(?:tell|tells|"
        r"telling|told|say|says|saying|said|command|commands|commanding|"
        r"commanded|order|orders|ordering|ordered|want|wants|wanted|urge|urges|"
        r"urging|scream|screams|screaming|whisper|whispers|whispering|instruct|"
        r"instructs|make|makes|made|force|forces|push|pushes|insist|insists|"
        r"demand|demands) (?:me )?(?:that i should |i should |i need to |i have "
        r"to |i must |i deserve to |i ought to |to )?<A>(?:kill|hurt|harm|die|"
        r"jump|cut|stab|burn|drown|hang|shoot|end|punish|attack|do (?:bad|"
        r"terrible|horrible|awful|it|things)|hit|strangle|poison|set fire|walk "
        r"into|step in front|not eat|stop eating|starve|take (?:all )?the pills|"
        r"overdose|cut|bleed|sacrifice|get rid of|destroy|go through with it)",
    ),
    rule(
        CMD,
        r"(?:telling|tell|tells|told|saying|say|says|ordering|order|commanding) me "
        r"<G6>(?:that )?i (?:have to|must|should|need to|deserve to|ought to) <A>"
        r"(?:die|kill|hurt|end it|end my life|jump|cut|burn|drown|hang|stab|shoot|"
        r"poison|attack)",
        needs=r"\b(?:tv|television|radio|walls|voices?|whispers?|in my head|god|"
        r"devil|satan|demons?|spirits?|they|angels?)\b",
    ),
    rule(
        CMD,
        r"(?:hear|hearing|heard|hears) (?:voices|a voice|whispers|whispering|god|the "
        r"devil|someone|them|him|her|things) <G2>(?:telling|tell|saying|commanding|ordering|"
        r"that tell|that say|who tell|that command|that want|who want) "
        r"(?:me|that i)|command(?:ing)? hallucinations?|(?:have to|must|need to) "
        r"obey (?:the voices|them|the voice|it|him)|(?:the )?voices (?:are|keep) "
        r"<A>(?:telling|saying|ordering|commanding) me",
    ),
    rule(
        CMD,
        r"(?:they|it|he\b|she\b|them) (?:keep |keeps |kept |are |is |were |was |"
        r"always |just )*(?:tell|tells|telling|told|say|says|saying|order|orders|"
        r"ordering|command|commands|want|wants|make|makes) me (?:to |that i "
        r"should |i should |i have to |i must )?<A>(?:kill|hurt|harm|die|jump|"
        r"cut|stab|burn|drown|hang|shoot|punish|attack|hit|poison|starve)",
        needs=r"\bvoices?\b|in my head",
    ),
    rule(
        CMD,
        r"(?:hear|hearing|heard|hears) (?:voices|a voice|things (?:that|other) "
        r"(?:are not|nobody|no one))|(?:the )?voices (?:are )?(?:back|getting "
        r"louder|louder|again|never stop|will not stop|talk to me)",
        MEDIUM,
    ),
]
