"""The risk screen's rules, one list per kind of risk (see services/risk_lexicon.py
for the word families and the instruments the wording draws on).

Every rule is HIGH unless it says otherwise: a disclosure that is only
ambiguous on its face (a will made, a gun owned) is MEDIUM, which is still
shown and still raises an alert.
"""

from __future__ import annotations

from services.risk_lexicon import MEDIUM, SH, SI, Rule, rule

_NOT_IDIOM_SELF = (
    r"(?! (?:laughing|working|studying|trying|running|training|at the gym|"
    r"at work|with work|over (?:this|that|it|the)|for (?:this|that|nothing|"
    r"the|a|my\b|work)|to (?:finish|get|make|meet|pass|keep|please|impress)|"
    r"in the foot|up|off|out|in work|in coffee|in paperwork|in chores|"
    r"in (?:my )?(?:work|studies|books|tv|games)))"
)
_NOT_ACCIDENT = (
    r"(?! (?:shaving|cooking|chopping|playing|lifting|running|skiing|hiking|"
    r"climbing|cycling|biking|gardening|working out|at the gym|at work|"
    r"on (?:a|the|some|my\b|an) (?:knife|glass|paper|can|tin|nail|edge|fence|"
    r"door|stove|oven|pan|iron|kettle|grill|hob|ice|stairs|bike|table|corner|"
    r"counter|branch|rock|rocks|broken)|while (?:cooking|shaving|chopping|"
    r"working|playing|running|climbing|lifting|hiking|skiing|cycling|"
    r"biking|gardening)|by accident|when i fell|in (?:a|the) (?:fall|game|"
    r"match|accident|crash)|falling|up about|up over|up for|out|off|back|of "
    r"(?:sleep|rest|fun|time)))"
)

# "if I was gone", "when I'm not around anymore", "once I've disappeared"
_IF_GONE = (
    r"(?:if|when|once|after) i <A>(?:(?:was|were|am|got|had|ended up|would be) "
    r"<A>(?:gone|dead|never born|not born|killed|no longer here|no longer around)|"
    r"(?:was not|were not|am not|was no longer|were no longer|was never|were never|"
    r"had never been|had not been|would not be|will not be) <A>(?:around|here|"
    r"alive|born|in the picture|in their lives|in the way|on this earth)|(?:died|"
    r"disappeared|killed myself|ended it|never existed|did not exist|left for good|"
    r"went away for good|stopped existing|vanished|was out of the picture|did not "
    r"wake up|was to die))"
)

SUICIDE: list[Rule] = [
    # acts on oneself: "kill myself", "unalive myself", "kms", "off myself"
    rule(SI, rf"<KILLV> <A><SELF>{_NOT_IDIOM_SELF}"),
    rule(SI, r"do <SELF> in"),
    rule(
        SI,
        r"(?<!political )(?<!career )(?<!social )(?<!commercial )(?<!financial )"
        r"(?<!professional )(?<!electoral )(?<!corporate )(?<!fashion )"
        r"(?:(?:commit|committed|committing|commits|attempt|attempted|attempting|"
        r"thoughts of|thinking of|think of|thought of|consider|considered|"
        r"considering|about|contemplate|contemplating|contemplated) "
        r"(?:to )?suicide|suicid(?:e|al|ality|ally|es)"
        r"(?! (?:squad|mission|missions|doors?|bomb|bomber|bombers|bombing|"
        r"run|runs|squeeze|king|prevention (?:training|month|week|day|course|"
        r"workshop|class|program|programme|charity|walk|conference)|awareness|"
        r"rates?|statistics|data|research|machine|pass|watch (?:training|"
        r"policy))))",
    ),
    rule(SI, r"(?:commit|committed|committing) (?:die|sudoku|seppuku|toaster bath)"),
    rule(SI, r"toaster bath|game end <SELF>|final exit|self (?:delete|deletion)"),
    # wishes to be dead (C-SSRS 1, ASQ 1)
    rule(
        SI,
        r"<WANTV> (?:<TO> )?<A><DIE>(?! than)"
        r"(?! (?:of|from) (?:embarrassment|boredom|laughter|laughing|cuteness|"
        r"happiness|excitement|curiosity|jealousy|envy|heat|cringe|shame|"
        r"hunger|thirst))(?! for (?:a|an|some|it|this|that|one))"
        r"(?! on (?:this|that) hill)(?! to (?:see|know|try|get|go|meet|hear))",
    ),
    rule(
        SI,
        r"(?:rather|better|sooner|prefer to) (?:be )?(?:dead|die|not be alive)"
        r"(?! than)",
    ),
    rule(SI, r"(?:rather|sooner|prefer to) (?:be )?(?:dead|die) than", MEDIUM),
    rule(SI, r"(?:should|deserve to|deserved to|ought to) (?:just )?(?:be dead|die)"),
    rule(
        SI,
        r"wish(?:ed|es|ing)? (?:that )?(?P<subj>i|he\b|she\b|they|you) <G3>(?:dead|never (?:been )?born|not (?:been )?"
        r"born|gone forever|gone for good|not here anymore|not alive|not exist|"
        r"disappear(?! (?:into|to|for a|for the|from (?:work|school|the)|on|off|"
        r"with|in a|in the))|die|not wake up|never wake up|never existed|not around|"
        r"never (?:existed|woke up)|just not wake up|not have to wake up)",
    ),
    rule(
        SI,
        r"(?:hope|hoping|hoped|pray|praying|prayed|wish|wishing|would not mind if|"
        r"would not care if|do not care if|do not mind if) (?:that )?"
        r"(?:i|i will|i would|i just|tonight i) <A>(?:will not|would not|do not|"
        r"did not|not|never|dont) <A>wake up"
        r"(?! (?:early|late|on time|in time|at|before|until|till|for\b|with\b|the|my\b))",
    ),
    rule(
        SI,
        r"(?:sleep|asleep|to bed) (?:and|then|to\b) <A>(?:not|never|to never|never ever)"
        r" <A>wake up|(?:never|not) wake up again|eternal sleep|forever sleep",
    ),
    rule(
        SI,
        r"(?:do not|no longer|not|never|did not|does not) <A>(?:(?:think|know if|"
        r"know whether|believe|feel like|sure|sure if|sure that|certain|convinced) "
        r"(?:that )?i (?:really |even |still )?)?(?:want|wanna|"
        r"wish|care|feel like|see the point|see a reason|can|could) (?:<TO> )?<A>"
        r"(?:live|be alive|"
        r"exist|existing|living|be here anymore|be here no more|be here any longer|"
        r"be around no more|be on this earth|be in this world|"
        r"be around anymore|wake up|keep living|stay alive|survive)"
        r"(?! (?:with|in\b|at|near|there|together|alone|by|under|on|off|inside|"
        r"here|next|close|far|so\b|early|late|until|till|before|for\b))",
    ),
    rule(
        SI,
        r"(?:do not|no longer|not|never) <A>(?:want|wanna|wish) (?:<TO> )?<A>(?:go on|"
        r"keep going|carry on|continue|do this|be here)(?= *(?:,|$|anymore|any longer|"
        r"like this|without|after|another|much longer|and\b|but\b|because\b|i\b))",
    ),
    rule(
        SI,
        r"(?:can not|could not|will not be able to) <A>(?:go on|keep going|carry on|"
        r"keep living|live like this|do this anymore|do it anymore|take it anymore|"
        r"take this anymore|take any more|take anymore|handle (?:life|living|this "
        r"life|it|this) anymore|bear (?:it|this|living|life) anymore|keep doing "
        r"this|survive this|face another day|live with (?:this|myself)|"
        r"do life anymore|cope anymore)(?= *(?:,|$|anymore|any longer|like this|"
        r"and|but\b|because\b|i\b|without|after|with\b|much|another|no\b))",
    ),
    rule(
        SI,
        r"(?:tired|sick|exhausted|done|finished|weary) (?:of|with\b) <A>(?:living|life|"
        r"being alive|existing|this life|my life|waking up|being here|it all|"
        r"breathing|being me)(?! (?:in|at|with\b|near) )",
    ),
    rule(SI, r"done with everything|had enough of (?:everything|life|it all)", MEDIUM),
    rule(
        SI,
        r"(?:no|not any|nothing|zero|lost(?: my| all| any| the)?|losing(?: my| the)?) "
        r"(?:real )?(?:reason|reasons|point|purpose|will|desire) (?:<TO>|in\b|of|for\b) "
        r"(?:live|living|life|go on|going on|keep going|keep living|stay alive|"
        r"staying alive|being alive|exist|existing|be here|being here|wake up|"
        r"waking up|getting up|get up|anything|trying anymore|carry on|me)",
    ),
    rule(SI, r"nothing (?:left )?(?:<TO> live for|worth living for)|no future for me"),
    rule(
        SI,
        r"(?:life|living|my life|this life|existence|it all|being alive)"
        r"(?: is| feels| seems| is just| has been| does| do)? (?:not|no longer|hardly|"
        r"barely|never) (?:feel |seem |really |even )?worth (?:living|it|anything|the "
        r"effort|continuing|going on|the pain)"
        r"|not worth living|(?:is not|not|no longer) worth (?:being )?alive",
    ),
    rule(
        SI,
        r"what is the point (?:of|in\b) (?:living|life|being alive|going on|anything|"
        r"waking up|even trying|me being here|existing|me|any of (?:it|this))|"
        r"(?:no|there is no|see no) point (?:in |to )?(?:living|life|being alive|"
        r"going on|anything|waking up|existing|any of (?:it|this)|me being here)",
    ),
    rule(
        SI,
        r"(?:end|ending|ended|finish|finishing) (?:it all|my (?:own )?life|my "
        r"existence|everything(?! (?:with|between|on|at|for the day|early))|"
        r"the pain (?:forever|for good|permanently))",
    ),
    rule(
        SI,
        r"(?:end|ending|ended|finish|finishing) (?:it|things|this)(?= *(?:,|$|"
        r"for good|forever|permanently|once and for all|tonight|today|now|soon|"
        r"already|for real|and\b|but\b|because\b|i\b|myself))",
    ),
    rule(
        SI,
        r"(?:take|took|taking|takes) (?:my|my own|his|her|their|his own|her own|"
        r"their own) (?:life|lives)(?! (?:back|seriously|in (?:a|another|my own)|"
        r"into|for granted|more seriously|one day))",
    ),
    rule(
        SI,
        r"(?:will not|might not|may not|not going to|not gonna|not) be "
        r"(?:here|around|alive|a problem|a burden|in the way|bothering (?:you|"
        r"anyone)) (?:much longer|for much longer|for long|anymore|any longer|to "
        r"see|by (?:christmas|next|the end)|next (?:week|month|year)|after "
        r"(?:tonight|this|today))",
    ),
    rule(
        SI,
        r"(?:thinking|think|thought|thoughts|thinks|fantasi[sz]e|fantasi[sz]ing|"
        r"dream|dreaming|obsessing|obsess) (?:about|of) <A>(?:not (?:being|existing|"
        r"waking up|living|being here|being alive|being around)|dying|being dead|"
        r"ending (?:my life|everything|it all|(?:it|things)(?! (?:with|between|off|"
        r"there|early|on)))|killing <SELF>|ways to die|"
        r"how to die|how i would die|jumping|overdosing|hanging <SELF>|"
        r"my (?:own )?funeral|disappearing forever|suicide|the end|"
        r"taking (?:my|all my|all of my|the) <PILLS>)",
    ),
    rule(SI, r"(?:thinking|think|thought|thoughts) (?:about|of) death", MEDIUM),
    rule(
        SI,
        r"(?:want|wanna|going|need|wish|try|trying|tried|like|just) (?:<TO> )?<A>"
        r"(?:disappear|vanish)(?= *(?:,|$|forever|for good|permanently|and never|"
        r"from (?:this|the) (?:world|earth|planet)|completely|and\b|but\b|because\b|i\b))",
    ),
    rule(
        SI,
        r"(?:i am|i feel like|feel like|i have become|i will always be|i have "
        r"always been) (?:just |such |a |an |nothing but |only |the |a total |"
        r"a huge |a big |always )*(?:burden|waste of space|waste of oxygen|"
        r"waste of air|waste of life|mistake that should not exist)",
    ),
    rule(
        SI,
        rf"(?:no one|nobody|not a single person|not one person|none of them|not "
        rf"even my [a-z]+) (?:would|will|is going to|even|would even|will even) "
        rf"(?:even |really |ever )?(?:care|notice|miss me|cry|come to my funeral|"
        rf"know|mind|bat an eye|be sad|be upset) {_IF_GONE}|(?:no one|nobody|not "
        rf"a single person|not one person|none of them) (?:would|will|is going "
        rf"to) (?:even |really |ever )?miss me",
    ),
    rule(
        SI,
        rf"(?:be|are|is|feel|get|seem) <A>(?:so much |much |a lot |all )?(?:better|"
        rf"happier|easier|fine|okay|ok|lighter|freer|simpler|calmer|nicer|"
        rf"relieved|glad|safer)(?: off)?(?: for [a-z]+(?: [a-z]+)?)? (?:without "
        rf"me|{_IF_GONE})",
    ),
    rule(SI, r"better off (?:dead|gone|without me|not (?:being )?(?:alive|here))"),
    rule(
        SI,
        r"(?:want|wish|need|hope|wanted|wished|praying for) (?:for )?(?:it|this|"
        r"everything|it all|all of this|all of it)(?: all)? (?:to )?(?:just )?"
        r"(?:be )?(?:over|end|stop|go away|finish)(?= *(?:,|$|forever|for good|"
        r"permanently|already|now|and\b|but\b|so\b|once and for all))",
    ),
    rule(
        SI,
        r"(?:want|wish|need|hope|wanted|wished|praying for) (?:for )?(?:the pain|my "
        r"pain|the suffering|my suffering|the hurting)(?: all)? (?:to )?(?:just )?"
        r"(?:be )?(?:over|end|stop|go away|finish)",
        MEDIUM,
    ),
    rule(
        SI,
        r"(?:do not think|doubt|not sure|no idea if) (?:that )?i (?:will|would|am "
        r"going to|can) (?:still )?(?:be|stay|last) (?:here|around|alive)? ?(?:for|"
        r"by|to see|much longer|for much longer|until|till|next)",
    ),
    rule(
        SI,
        r"(?:stay|be|remain|sleep) asleep forever|(?:how|when|where) i (?:would|will|"
        r"could|might|am going to|would want to) (?:do it|end it|kill <SELF>|die|end "
        r"my life|go through with it)|only (?:way out|option|answer|solution|escape|"
        r"way|thing left)(?: left)? (?:is|would be|seems|will be|seems to be) (?:to )?"
        r"(?:die|death|dying|suicide|kill(?:ing)? <SELF>|end(?:ing)? it|end(?:ing)? "
        r"my life|not be here|not exist)|(?:death|dying|suicide) (?:is|seems|would "
        r"be|feels like) (?:the|my) only (?:way out|option|answer|solution|escape)",
    ),
    rule(
        SI,
        r"how (?:much )?longer i (?:can|could|will be able to) (?:keep going|go on|do "
        r"this|take (?:it|this)|hold on|last|survive|cope|carry on|keep living|"
        r"stay alive)|(?:do not think|not sure|doubt) (?:that )?i (?:can|could|will "
        r"be able to) (?:do this|go on|keep going|take (?:it|this)|hold on|last|"
        r"cope|carry on|keep living|stay alive|survive)(?: much longer| anymore| "
        r"any longer)?(?= *(?:,|$|much|anymore|any longer|and\b|but\b))|(?:can not|"
        r"could not) (?:do|take|handle|bear|stand) (?:this|it|life) (?:much|any) "
        r"longer",
    ),
    rule(
        SI,
        r"(?:do not|would not|could not|does not|did not|will not) (?:really |even )?"
        r"care (?:if|whether) i (?:live|lived|die|died|wake up|woke up|make it|made "
        r"it|was dead|were dead|got hit|survive)|(?:would not|will not|does not|"
        r"did not|would never) matter if i (?:died|die|was dead|were dead|was gone|"
        r"were gone|disappeared|was not here|was not around|killed myself)|(?:can "
        r"not|do not|no longer|fail to|could not) see (?:a|any) future (?:for "
        r"myself|for me|ahead|anymore|at all)|(?:not|no longer|never) (?:scared|"
        r"afraid|frightened|worried) (?:of|to|about) (?:die|dying|death|being dead)|"
        r"never want to see (?:tomorrow|another day|the morning|next year|another "
        r"year|the sun again)|(?:anyone|anybody|someone) (?:would|will) (?:even |"
        r"really |ever )?miss me|(?:(?:do not|can not|could not) see )?(?:no|any|"
        r"another|other) (?:way|ways) out (?:except|but|"
        r"other than|besides|apart from) (?:dying|death|to die|suicide|killing "
        r"myself|ending it|ending my life)",
    ),
    rule(
        SI,
        r"(?:there is )?no point (?:anymore|any more|in anything anymore|to "
        r"anything|in anything|in trying anymore)",
    ),
    rule(SI, r"i am (?:so |just |completely |totally )?done(?= *(?:,|$))", MEDIUM),
    rule(
        SI,
        r"(?:will not|not going to|might not|may not) be (?:here|around|alive) (?:for|"
        r"by|to see) (?:my (?:birthday|kids|children|son|daughter|graduation|"
        r"wedding|next birthday)|christmas|the holidays|new year|next (?:year|"
        r"christmas|summer|spring|birthday)|them grow up|the end of)",
    ),
    rule(
        SI,
        r"(?:end|ending|stop|stopping) (?:my|the|all (?:the|my)|this) (?:suffering|"
        r"pain|misery|torment|agony)(?: (?:for good|forever|permanently|once and for "
        r"all))",
    ),
    rule(
        SI,
        r"(?:looking at|looked at|browsing|buying|bought|ordered|searching for|"
        r"searched for|researching|researched) (?:a |some |the |for )?(?:ropes?|"
        r"nooses?|guns?|pistols?|firearms?|razor blades|helium tanks?|exit bags?)"
        r"(?! (?:for (?:hunting|climbing|camping|the farm|sailing|the boat)))",
    ),
    rule(
        SI,
        r"(?:better|happier|easier|lighter|calmer|nicer|simpler) <G4>without me"
        r"(?! (?:at|for|on|there|tonight|today|this))|without me (?:in it|around|"
        r"here|alive|on this earth)",
    ),
    rule(
        SI,
        r"(?:do not|can not|no longer|not|never|fail to|could not) (?:really )?"
        r"(?:see|find|have|feel) (?:the |a |any )?(?:point|reason|purpose|will) "
        r"(?:in|of|to|for) (?:going on|living|life|being alive|carrying on|waking "
        r"up|getting up|staying|me|keep going|keep living|any of (?:this|it)|"
        r"anything|live|go on|carry on|stay alive|being here|existing|trying)",
    ),
    rule(
        SI,
        r"(?:decide to|decided to|going to|gonna|ready to|might|will|could|want "
        r"to|scared i will|afraid i will|afraid i might|scared i might|finally|"
        r"brave enough to|courage to|nerve to) (?:actually |finally |really )?"
        r"go through with it",
        MEDIUM,
    ),
    rule(
        SI,
        r"go through with it",
        needs=r"\b(?:pills|tablets|meds|gun|rope|noose|bridge|roof|jump|die|"
        r"kill|end it|overdose|razor|blade|wrists|train)\b",
    ),
    rule(
        SI,
        r"(?:and|to|then) (?:just )?(?:not|never) (?:come|coming|go|going) back"
        r"(?! (?:to (?:work|school|that|this|the)|there|here|again until))",
        needs=r"\b(?:lake|river|ocean|sea|bridge|woods|forest|cliff|mountain|"
        r"water|drive|walk|swim|tracks)\b",
    ),
    rule(
        SI,
        r"(?:buildings?|bridges?|roofs?|rooftops?|cliffs?|ledges?|balcon(?:y|ies)|"
        r"overpass(?:es)?|floors?|towers?) <G6>(?:to )?(?:jump|leap) (?:from|off)"
        r"|(?:jump|leap) (?:from|off)(?= *(?:,|$))",
    ),
    rule(
        SI,
        r"(?:planning|planned|plan|picturing|pictured|imagining|imagined|imagine|"
        r"writing|wrote|write|thinking about|think about|arranging|arranged|"
        r"choosing|chose|picked|picking) (?:out )?(?:my|my own) (?:funeral|"
        r"obituary|eulogy|memorial|last words|headstone|casket|coffin)",
    ),
    rule(
        SI,
        r"(?:want|wish|need|hope|wanted|wished) (?:for )?(?:my life|life|everything|"
        r"it all|all of it|my existence) (?:to )?(?:just )?(?:be )?(?:over|end|"
        r"stop|finish|finished|done)(?: forever| for good| permanently)?",
    ),
    rule(
        SI,
        r"(?:want|wish|need|hope) (?:it|this) (?:all )?(?:to )?(?:just )?(?:be )?"
        r"(?:over|end|stop)(?: forever| for good| permanently)?(?= *(?:,|$))",
        needs=r"\b(?:life|living|alive|exist|existing|pointless|die|dead)\b",
    ),
    rule(
        SI,
        r"(?:want|wish|need) (?:it|this) (?:all )?(?:to )?(?:just )?(?:be )?"
        r"(?:over|end|stop)(?: forever| for good| permanently)(?= *(?:,|$))|"
        r"(?:my )?life (?:is|feels|seems) (?:so |completely |totally )?"
        r"(?:pointless|meaningless|hopeless|over)",
        MEDIUM,
    ),
    rule(
        SI,
        r"(?:drink|drinking|drank|swallow|swallowing|swallowed|ingest|ingesting|"
        r"take|taking|took) (?:some |a bottle of |the |a cup of |a glass of )?"
        r"(?:bleach|antifreeze|poison|rat poison|drain cleaner|weed killer|"
        r"pesticide|lighter fluid|detergent pods?|tide pods?)|(?:what if|if only) i "
        r"<A>(?:did not exist|was not here|was not alive|died|was dead|was gone|"
        r"disappeared|never woke up|did not wake up|was never born)|<PILLS> "
        r"(?:saved|stashed|hidden|ready|put aside|set aside|kept|lined up)(?: up)? "
        r"(?:for|in case|just in case|when|until)",
    ),
    rule(SI, r"unaliv(?:e|ed|es|ing)(?! (?:him|her|them|my (?!self)|his|the|that))"),
    # plan, method, means (C-SSRS 4 and 5, SAFE-T)
    rule(
        SI,
        r"how many (?:of )?<G3><PILLS> <G6>(?:it (?:would )?takes?|would it take|"
        r"does it take|<TO> (?:die|kill|overdose|end|not wake up)|is lethal|"
        r"would be lethal|is fatal|would kill|would do it|it would take)",
    ),
    rule(SI, r"(?:lethal|fatal|deadly) (?:dose|amount|overdose|quantity|combination)"),
    rule(
        SI,
        r"(?:painless|quick|easy|quickest|easiest|best|surest|sure|fastest|"
        r"least painful|quiet) (?:way|ways|method|methods) (?:<TO>|of) (?:die|dying|"
        r"go|kill <SELF>|end it|end my life|commit suicide|do it|check out)",
    ),
    rule(
        SI,
        r"(?:looked|looking|look|search|searched|searching|googled|googling|"
        r"research|researched|researching|read|reading|watched|watching) "
        r"(?:up |into |online |about |for |up online )*(?:how|ways|methods|"
        r"ways to|how to|what happens when you) (?:<TO> )?(?:die|kill <SELF>|end it|"
        r"end my life|overdose|hang|tie a noose|commit suicide|slit|cut (?:my )?"
        r"wrists|jump|drown|suffocate|bleed out|kill yourself|shoot yourself)",
    ),
    rule(
        SI,
        r"nooses?|tied? (?:a|the) (?:rope|noose|belt|cord) (?:around|round|to\b|"
        r"from|on) (?:my|the) (?:neck|beam|ceiling|rafters?|closet|door|"
        r"banister|fan|tree|bar)",
    ),
    rule(SI, r"(?:rope|belt|cord|noose) (?:around|round) my neck"),
    rule(
        SI,
        r"(?:saving|saved|save|stockpiling|stockpiled|stockpile|hoarding|hoarded|"
        r"hoard|stashing|stashed|stash|storing up|stored up|squirrelling|"
        r"squirreling|putting aside|put aside|set aside|setting aside|"
        r"kept|keeping|counted|counting|lined up|lining up) (?:up )?(?:all )?(?:of )?"
        r"(?:my |some |a |the |these |those |extra |old |enough |her |his |mom "
        r"|dad )*<PILLS>(?! (?:for (?:the|my\b) (?:trip|holiday|vacation)|at the "
        r"pharmacy|in the cabinet))",
    ),
    rule(
        SI,
        r"(?:bought|buy|buying|got|get|getting|purchased|purchase|ordered|order|"
        r"ordering|picked up|borrowed) (?:a |my |the |myself a |some |another )?"
        r"(?:gun|pistol|handgun|rifle|shotgun|firearm|rope|razor blades|"
        r"bullets|ammo|ammunition|charcoal|helium|exit bag)"
        r"(?! (?:for (?:hunting|the range|target|sport|work|the farm|climbing|"
        r"camping|the bbq|the grill)))",
    ),
    rule(
        SI,
        r"(?:have|own|keep|has|found|took out|loaded|cleaned|holding|held) (?:a "
        r"|my |the |his |her |dad |my dad |a loaded )?(?:gun|pistol|handgun|rifle|"
        r"shotgun|firearm)",
        MEDIUM,
    ),
    rule(
        SI,
        r"(?:gun|pistol|barrel|knife|blade|razor|rifle) (?:to|against|in\b|into|under) "
        r"my (?:head|temple|mouth|chest|throat|wrist|wrists|neck|heart|chin)|"
        r"(?:put|held|hold|holding|pointed|pointing|press|pressed|pressing) "
        r"(?:a |the |my )?(?:gun|pistol|knife|blade|razor) (?:to|at|against|into) "
        r"(?:my|me)",
    ),
    rule(
        SI,
        r"(?:use|used|using|turn|turned|turning|point|pointed|pointing) (?:it|the gun|"
        r"a gun|my gun|the knife|a knife|them|the pills|the rifle) on <SELF>|"
        r"(?:walk|walked|walking|swim|swimming|swam|wade|wading|waded) (?:out )?into "
        r"(?:the )?(?:ocean|sea|lake|river|water|waves)(?! (?:for a swim|to swim|to "
        r"cool off|with (?:the|my) (?:kids|dog|friends)))|(?:crash|wreck|total|drive|"
        r"flip) (?:my|the) car (?:on purpose|deliberately|intentionally)|goodbye "
        r"<G6>(?:will not|never|not going to) see (?:her|him|them|you|anyone|"
        r"everyone|my [a-z]+) again|(?:told|said|saying|say) (?:my [a-z]+ |him |her "
        r"|them |everyone )?goodbye (?:for good|for the last time|forever)",
    ),
    rule(
        SI,
        r"(?:blow|blew|blowing) my (?:brains|head) (?:out|off)|eat a bullet|"
        r"bullet (?:in|through) my (?:head|brain|skull)|put a bullet in",
    ),
    rule(
        SI,
        r"(?:slit|slice|slash|slashed|slitting|slicing|cut|cutting|open|opening|"
        r"opened|slashing) (?:open )?(?:my |both )?(?:wrist|wrists|throat|veins|"
        r"arteries)(?! (?:on (?:a|the|some)|by accident|accidentally|when\b))|"
        r"bleed(?:ing)? out|bleed to death",
    ),
    rule(
        SI,
        r"(?:jump|jumping|jumped|leap|leaping|leapt|throw <SELF>|throwing <SELF>|"
        r"threw <SELF>|fling <SELF>|yeet <SELF>|fall|falling) (?:off|from|out of|"
        r"over) (?:a |the |my |this |that |our |some |an |the top of (?:a|the) )?"
        r"(?:[a-z]+ )?(?:bridge|roof|rooftop|building|ledge|balcony|cliff|overpass|"
        r"window|tower|parking garage|car park|top floor|skyscraper|railing|edge)"
        r"(?! (?:at my stop|to (?:get|catch|make)|for (?:a|the) (?:swim|photo|"
        r"picture|view)))",
    ),
    rule(
        SI,
        r"(?:jump|jumping|jumped|leap|leaping|leapt|throw <SELF>|throwing <SELF>|"
        r"threw <SELF>|step|stepping|stepped|walk|walking|walked|lie|lying|lay) "
        r"(?:out )?(?:in front of|under|onto|into) (?:a |the |an |oncoming )?"
        r"(?:[a-z]+ )?(?:train|trains|tracks|subway|traffic|bus|truck|lorry|tram|"
        r"car|semi|highway|freeway|motorway)",
    ),
    rule(
        SI,
        r"(?:drive|driving|drove|swerve|swerving|swerved|steer|steering|veer|"
        r"veering|crash|crashing|crashed|ram|ramming) (?:my car |the car |myself |"
        r"it )?(?:off|into|over) (?:a |the |my |an |oncoming )?(?:[a-z]+ )?(?:bridge|"
        r"cliff|wall|tree|truck|lorry|semi|pole|traffic|river|lake|barrier|median|"
        r"pillar|embankment)(?! (?:on the ice|in the snow|by accident|last winter))",
    ),
    rule(
        SI,
        r"(?:walk|walked|walking|step|stepped|stepping|lie|lay|lying|laying|stand|"
        r"stood|standing) (?:out )?(?:into|in front of|on|down on|onto|at) "
        r"(?:a |the |oncoming )?(?:traffic|train tracks|tracks|railway|the edge|"
        r"edge of (?:the|a) (?:roof|bridge|cliff|platform|building)|ledge|"
        r"railing|bus|train|truck|lorry|tram|subway train)",
    ),
    rule(
        SI,
        r"carbon monoxide(?! (?:detector|alarm|alarms|detectors|poisoning from))|"
        r"(?:car|engine) running in the garage|exhaust (?:pipe|fumes|hose)|"
        r"hose (?:from|to\b) the exhaust|bag over my head|gas (?:oven|stove) on",
    ),
    # preparatory acts (C-SSRS: note, will, giving away valuables, goodbyes)
    rule(
        SI,
        r"(?:suicide|goodbye|farewell) (?:note|notes|letter|letters|message|"
        r"messages|video|texts?|post)|(?:wrote|written|writing|write|left|leave|"
        r"draft|drafted|drafting|typed|composed) (?:a |my |the |some |final |last )*"
        r"(?:note|letter|letters|notes) (?:to|for\b) (?:my [a-z]+|everyone|everybody|"
        r"each of (?:them|you)|them|him|her|the kids|mom|dad) <G4>(?:goodbye|after i am gone|"
        r"when i am gone|to find|explaining|saying sorry|for after|in case)",
    ),
    rule(
        SI,
        r"(?:after|when\b|once|for when|for after) i (?:am|m) (?:gone|dead|not here|"
        r"not around|no longer here)(?! (?:on|for\b|to\b|at|away))",
    ),
    rule(
        SI,
        r"(?:giving|gave|give|given|handing|handed|hand) away (?:all )?(?:of )?"
        r"(?:my |his |her )?(?:stuff|things|belongings|possessions|valuables|"
        r"prized|favou?rite|most precious|pets?|dog|cat|guitar|jewell?e?ry|"
        r"collection|games|savings|books|records|treasures|art)|"
        r"(?:giving|gave|give|given|handing|handed) (?:all )?(?:of )?my <G4>(?:stuff|"
        r"things|belongings|possessions|valuables|prized possessions|pets?|dog|cat|"
        r"guitar|jewell?e?ry|collection|games|savings|records|vinyl|books|bike|"
        r"art|paintings|treasures|camera|watch) <G6>away",
    ),
    rule(
        SI,
        r"(?:will not|would not|not going to|no longer) (?:be )?(?:need|needing) "
        r"(?:it|them|this|that|these|those|my [a-z]+|anything|any of (?:it|this|"
        r"them)) (?:anymore|any more|where i am going|after (?:this|that|today|"
        r"tonight|next week)|for much longer|much longer|soon|where i will be)|"
        r"where i am going(?= *(?:,|$))",
    ),
    rule(
        SI,
        r"(?:put|putting|get|getting|got|sort|sorting|sorted) (?:all )?my "
        r"affairs in order|tying up loose ends|(?:said|saying|say) (?:my )?"
        r"(?:final )?goodbyes(?! (?:at|before|after|and left|to the))|"
        r"(?:said|saying|say) goodbye to (?:everyone|everybody|my (?:family|kids|"
        r"friends|mom|dad|dog|cat|pets?|parents|wife|husband|children))(?! (?:at|before|after|and left|when\b|for the))",
    ),
    rule(
        SI,
        r"(?:made|make|making|wrote|writing|updated|updating|finalized|"
        r"finalised|sorted out|signed) (?:out )?(?:a |my )(?:will|living will)(?! "
        r"(?:power|to\b))",
        MEDIUM,
    ),
    rule(
        SI,
        r"(?:plan|plans|planned|planning|date|day|time|method|way|ways) "
        r"(?:<TO>|for\b|of|when\b|how) (?:i (?:will|would|am going to) )?(?:die|kill "
        r"<SELF>|end it|end my life|do it|go through with it|commit suicide|"
        r"overdose|jump|hang <SELF>|not be here)|i know (?:exactly )?(?:how|when\b|"
        r"where) (?:i would|i will|i am going to|i could|to\b) (?:do it|end it|"
        r"kill <SELF>|die|go)|(?:tonight|this weekend|tomorrow|today) is the "
        r"(?:night|day)|picked (?:a|the) (?:date|day|spot|place|bridge)",
    ),
    rule(
        SI,
        r"(?:my|the|last|a|previous|first|second|third|recent|since|after) "
        r"(?:suicide )?attempts?(?! (?:at|to (?!kill|die|end|take|overdose)|"
        r"of the|in the exam|on the test))",
    ),
    rule(
        SI,
        r"(?:tried|try|trying|attempted|attempt|attempting|tries) (?:<TO> )?"
        r"(?:kill|end|take|hang|overdose|od|drown|shoot|poison|off) (?:<SELF>|my "
        r"(?:own )?life|it all|my wrists|on pills)",
    ),
    rule(
        SI,
        r"(?:wish|hope|want|pray|praying|hoping|wishing|wished|hoped) (?:that )?"
        r"(?:a|the|some|something|someone|somebody|a car|a bus|a truck|a train|"
        r"god|cancer|it)? ?(?:car|bus|truck|train|plane|would|will|to\b|could)? ?"
        r"(?:hit|hits|kill|kills|run|runs|shoot|shoots|take|takes|crash|crashes)"
        r" (?:me|me over|into me|me away)|(?:hope|hoping|pray|praying|wish) "
        r"(?:that )?i <G4>(?:die|dies|crash|get hit|get killed|do not survive|"
        r"do not make it)",
    ),
    rule(
        SI,
        r"(?:join|be with|see) (?:my |her |him |them )?(?:[a-z]+ )?(?:in heaven|on "
        r"the other side|up there|again soon in heaven)|leave this (?:world|earth|"
        r"life)|(?:check|checking|checked) out (?:early|permanently|for good|of "
        r"life|of this life)|permanent (?:solution|nap|sleep)|"
        r"(?:go|going|went|fall|falling|drift|drifting) to sleep (?:forever|for "
        r"good|permanently)|(?:want|wanna|going|ready|about|plan) to rope"
        r"(?! (?:in|off))",
    ),
]

SELF_HARM: list[Rule] = [
    rule(SH, rf"<SHV> (?:on |into |at )?<A><SELF>{_NOT_ACCIDENT}"),
    rule(
        SH,
        r"<SHV> (?:my |both )?<BODY> (?:with|using) (?:a |the |my |some )?(?:knife|"
        r"razor|blade|glass|scissors|pin|needle|lighter|cigarette|compass|pencil "
        r"sharpener|nails?|fingernails|shard|box cutter|safety pin)|<SHV> <G4>(?:on "
        r"purpose|deliberately|intentionally)",
    ),
    rule(
        SH,
        r"(?:carve|carved|carving|carves|etch|etched|etching|scratched|scratching|"
        r"scratch|scratches|engrave|engraved) <G3>(?:into|in\b|on|onto) my <BODY>",
    ),
    rule(
        SH,
        r"i (?:cut|burned|burnt|scratched|carved|sliced) (?:again|last night|"
        r"yesterday|today|this morning|this week|tonight|the other day|twice|on "
        r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))|my <BODY> "
        r"(?:are|is|was|were|got) (?:covered in|full of|covered with) (?:cuts|scars|"
        r"burns|scratches|wounds|marks|slashes)",
    ),
    rule(
        SH,
        r"self ?(?:harm|harms|harming|harmed|harmer|injury|injuries|injure|"
        r"injuring|injurious|mutilation|mutilating|mutilate|inflicted|"
        r"punishment|punishing|destructive|destruction|cutting|cutter)",
    ),
    rule(
        SH,
        r"(?:cut|cutting|cuts|scars|scarring|marks|wounds|burns|lines|slashes|gashes|"
        r"scratches|scabs|bruises) (?:on|into|across|in\b|up|all over|along|down) "
        r"my <BODY>(?! from (?:the|a|my\b|when\b) (?:surgery|accident|operation|"
        r"fall|dog|cat|bike|crash|fire|cooking|kitchen|work|game))",
    ),
    rule(
        SH,
        r"(?:i|been|started|start|starting|stopped|stop|relapsed|relapse|urge to|"
        r"urges to|want to|tempted to|thinking about|back to|went back to|going back "
        r"to|keep|kept|go back to|used to|still) (?:have |am |was |been |into )?"
        r"(?:cutting|self harming|sh|carving|burning my skin|scratching my skin)"
        r"(?= *(?:,|$|again|more|deeper|every|at night|lately|recently|when\b|since|"
        r"because|and\b|but\b|to\b|so\b|after|before|in\b|on my\b|my\b|i\b|for\b|too\b))"
        r"(?! (?:back|down|out|corners|class|classes|school|ties|the|my hair|hair|"
        r"costs|carbs|coupons|wood|grass|onions|vegetables|paper|it|in line|"
        r"people off|through|across|edge|lose))",
    ),
    rule(
        SH,
        r"(?:relapsed|relapse|relapsing|urges|urge|clean from|been clean|scars|"
        r"wounds|stopped|started|doing|did) (?:on |with |to |from |into |of )?"
        r"(?:sh|cutting|self harm|self harming|burning)(?! (?:back|down|out|"
        r"class|corners|ties|costs|carbs|calories|sugar))|\bsh (?:urges|scars|"
        r"wounds|again|relapse|marks|cuts)",
    ),
    rule(
        SH,
        r"(?:razor|razors|razor blade|razor blades|blade|blades|box ?cutter|"
        r"exacto|x acto|pencil sharpener blade|shard|broken glass|lighter|"
        r"cigarette|compass|safety pin|needle) (?:to|on|into|across|against) my "
        r"<BODY>|(?:hide|hiding|hid|keep|keeping|kept|hidden) (?:my |the |some )?"
        r"(?:razors|razor blades|blades|sharps)|took apart (?:a|my\b|the) "
        r"(?:pencil )?sharpener|barcode (?:arms|wrists|cuts)|cat scratches",
    ),
    rule(
        SH,
        r"(?:make|made|making|watch|watched|watching|see|saw) (?:myself|me|it) "
        r"(?:bleed|bleeding)|(?:until|till|til) (?:i|it|they|my <BODY>) "
        r"(?:bleed|bleeds|bled|bleeding|bruise|bruised|burn|scar|scarred)",
    ),
    rule(
        SH,
        r"(?:bang|banging|banged|hit|hitting|smash|smashing|smashed) my head "
        r"(?:against|on|into) (?:the |a )?(?:wall|walls|floor|door|desk|table)"
        r"(?! (?:over|about|with\b|trying|at work|all day|with this))",
        MEDIUM,
    ),
    rule(
        SH,
        r"(?:punch|punched|punching|hit|hitting) (?:the )?walls? (?:until|till) "
        r"(?:my )?(?:knuckles|hands?|fists?) (?:bleed|bled|broke|bruised|split)",
        MEDIUM,
    ),
    rule(
        SH,
        r"(?:burn|burning|burned|burnt) my (?:skin|arm|arms|wrist|wrists|hand|"
        r"hands|leg|legs|thigh|thighs) (?:with|on purpose)|(?:lighter|cigarette|"
        r"cigarettes|iron|match|matches) (?:to|on|against|into) my (?:skin|arm|"
        r"arms|wrist|hand|leg|legs|thigh)",
    ),
    rule(
        SH,
        r"(?:hurt|hurting|harm|harming|punish|punishing|cut|cutting) <SELF> on "
        r"purpose|on purpose to (?:hurt|punish|feel)|(?:hurt|hurting|cut|cutting|"
        r"burn|burning) (?:myself )?(?:so|because\b|to\b) (?:i can|to\b)? ?(?:feel "
        r"something|feel anything|feel real|numb|punish)",
    ),
]
