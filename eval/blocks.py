"""Hand-written building blocks of the evaluation transcripts (eval/generate.py
puts them together with a seeded generator). Every line is a speaker turn;
``{name}``, ``{partner}``, ``{sibling}``, ``{job}``, ``{place}``, ``{day}``,
``{child}``, ``{friend}`` are filled per transcript."""

from __future__ import annotations

from typing import TypedDict


class Theme(TypedDict):
    topics: list[str]  # a second theme adds only its first
    lines: list[tuple[str, str]]  # (therapist, client) exchanges


OPENINGS = [
    (
        "Hi {name}, come on in. How has the week been since we last met?",
        "Hi. It's been a week, honestly. Some okay days and some not so okay ones. I almost cancelled this morning but I made myself come.",
    ),
    (
        "Good to see you, {name}. Where would you like to start today?",
        "I'm not sure. I had a list in my head on the drive over and now it's gone. Maybe with how things went after last time.",
    ),
    (
        "Welcome back. Before we dive in, how are you feeling right now, in this moment?",
        "A bit tense, I think. My shoulders are up around my ears. But I'm glad to be here, it's the one hour of the week that's just mine.",
    ),
]

CHECKINS = [
    (
        "On a scale from one to ten, where would you put your mood this week?",
        "Maybe a four. Last week I'd have said three, so a little better I guess. {day} was the worst day, I barely got out of bed.",
    ),
    (
        "How has your sleep been?",
        "Patchy. I fall asleep fine but I wake up around three and my mind starts going. Then I'm exhausted at {job} the next day and everything feels harder.",
    ),
    (
        "Did you get a chance to try the homework from last session?",
        "Sort of. I did it twice and then I forgot. When I did it, it actually helped a bit, which surprised me. I just find it hard to remember when things get busy.",
    ),
    (
        "How have things been at {job}?",
        "Busy. My manager keeps adding things to my list and I don't say no. I stayed late three nights this week and I felt resentful the whole time.",
    ),
]

THEMES: dict[str, Theme] = {
    "anxiety": {
        "topics": ["anxiety", "worry", "panic"],
        "lines": [
            (
                "Tell me more about the worry. What does it sound like when it starts?",
                "It's always what if. What if I get something wrong, what if they think I'm useless, what if I get sick. It runs in a loop and I can't find the off switch.",
            ),
            (
                "You mentioned a panic attack on the train. What happened?",
                "My heart started pounding and my hands went numb and I was sure I was having a heart attack. I got off two stops early and sat on a bench until it passed. It took maybe twenty minutes.",
            ),
            (
                "What do you usually do when the anxiety spikes?",
                "I avoid things. I cancelled on {friend} twice this month. I stopped going to the supermarket on Saturdays because it's crowded. It helps in the moment but my world is getting smaller.",
            ),
            (
                "What do you notice in your body before the worry takes over?",
                "Tight chest, stomach in knots, I clench my jaw. Sometimes I notice it before I even know what I'm worried about.",
            ),
            (
                "How has the worry affected your work?",
                "I check my emails over and over before I send them. A two-minute task takes me twenty. My manager said I was thorough, but it's not thoroughness, it's fear.",
            ),
            (
                "When you look back at the things you feared, how many actually happened?",
                "Almost none of them, if I'm honest. But in the moment it feels completely real, like the disaster is already here.",
            ),
        ],
    },
    "depression": {
        "topics": ["depression", "low mood", "motivation"],
        "lines": [
            (
                "You said things have felt heavy. Can you describe the heaviness?",
                "It's like walking through wet cement. Everything takes so much effort. Showering feels like a project. I used to love cooking and now I eat toast standing at the counter.",
            ),
            (
                "What does a typical day look like right now?",
                "I wake up late, I scroll on my phone for an hour, I tell myself I'll go for a walk and then it's four in the afternoon. I feel guilty the whole day and the guilt makes it worse.",
            ),
            (
                "What used to bring you joy that you've stopped doing?",
                "Painting. Football with the guys on Thursdays. I haven't touched my brushes since the summer. I just can't see the point of starting.",
            ),
            (
                "How has your appetite been?",
                "Up and down. Some days I forget to eat until the evening, some days I eat a whole packet of biscuits without noticing. I've lost a bit of weight.",
            ),
            (
                "What does the critical voice in your head say to you?",
                "That I'm lazy. That I'm wasting my life. That everyone else has it together and I'm just pretending. It's very convincing.",
            ),
            (
                "Who have you been in touch with this week?",
                "Not many people. My {sibling} texted and I left it on read for three days. I don't want people to see me like this.",
            ),
        ],
    },
    "grief": {
        "topics": ["grief", "loss", "bereavement"],
        "lines": [
            (
                "It's been four months since your mother died. How has the grief been showing up?",
                "In waves. I'll be fine in the supermarket and then I see her brand of tea and I have to leave the trolley and go sit in the car. Nobody warns you about the tea.",
            ),
            (
                "What do you miss most about her?",
                "Her phone calls on Sunday evenings. She always asked what I'd had for dinner. It was such a small thing and now Sunday evenings are the worst part of my week.",
            ),
            (
                "How are you and your family grieving together?",
                "Not well. My {sibling} wants to sell the house straight away and I can't even go into her bedroom yet. We had a big argument about it at the weekend.",
            ),
            (
                "Is there anything you wish you had said to her?",
                "That I was sorry for the year we didn't speak. We made up, but I never actually said sorry out loud. I think about that a lot at night.",
            ),
            (
                "What helps, even a little, on the hard days?",
                "Looking at old photos, strangely. And walking her dog. He's old now and slow and we just shuffle around the park together.",
            ),
            (
                "How do you feel about the anniversary coming up?",
                "Dread. Everyone will expect me to do something meaningful and I just want to hide under a blanket.",
            ),
        ],
    },
    "couples": {
        "topics": ["relationship conflict", "communication", "trust"],
        "lines": [
            (
                "{partner}, you said the arguments have been getting more frequent. What usually starts them?",
                "Little things. The dishes, who picks up {child} from school. But it's never really about the dishes, it's about feeling like I carry everything.",
            ),
            (
                "What happens when the argument escalates?",
                "We both get loud, then one of us walks out. Usually me. Then we don't talk for a day and pretend nothing happened, and nothing gets solved.",
            ),
            (
                "What would you like your partner to understand about you?",
                "That when I go quiet I'm not punishing anyone. I'm overwhelmed. I need twenty minutes and then I can talk.",
            ),
            (
                "How has the trust been since the affair came out?",
                "Shaky. I check the phone sometimes and I hate myself for it. I want to trust again, I just don't know how to get there.",
            ),
            (
                "When was the last time you two had fun together?",
                "Honestly, our anniversary in March. We went to that Italian place and laughed about our first date. It felt like us again, for one evening.",
            ),
            (
                "What does a good repair after a fight look like for each of you?",
                "For me it's an actual apology, not just acting normal. For them it's a hug and moving on. We want different things and then we both feel let down.",
            ),
        ],
    },
    "adolescent": {
        "topics": ["school stress", "friendships", "family conflict"],
        "lines": [
            (
                "How's school been this term?",
                "Stressful. Exams are in six weeks and my parents keep asking about my grades. I'm behind in maths and chemistry and I just freeze when I open the books.",
            ),
            (
                "What's been happening with your friends?",
                "There's this group chat and they made another one without me. I found out because {friend} sent a screenshot by mistake. Now I sit alone at lunch most days.",
            ),
            (
                "How are things at home with your parents?",
                "We fight all the time. My mum takes my phone away at nine and my dad says I'm ungrateful. They don't get that my whole life is on there.",
            ),
            (
                "What do you do when you feel overwhelmed?",
                "I put my headphones on and lie on my bed. Sometimes I game until two in the morning, which I know doesn't help with school.",
            ),
            (
                "Is there anyone at school you feel you can talk to?",
                "My art teacher is nice. She lets me eat lunch in the art room sometimes. That's kind of the best part of my day.",
            ),
            (
                "What would you want your parents to know?",
                "That I'm trying. That yelling doesn't make me study more, it makes me want to disappear into my room.",
            ),
        ],
    },
    "substance": {
        "topics": ["alcohol use", "cravings", "relapse prevention"],
        "lines": [
            (
                "Let's look at the drinking diary. How many days did you drink this week?",
                "Four. Mostly wine, a bottle a night on two of them. I told myself I'd stop at two glasses and I didn't.",
            ),
            (
                "What usually triggers the cravings?",
                "Getting home from {job}. The silence in the flat. Fridays are the worst because that's when I used to go to the pub with the team.",
            ),
            (
                "What happened the day you managed not to drink?",
                "I went to the gym straight after work and then called my {sibling}. By the time I got home I was too tired to bother. It was a good night actually.",
            ),
            (
                "How is the drinking affecting the rest of your life?",
                "I've been late to work twice. My {partner} says I'm a different person after the third glass. I don't like that person either.",
            ),
            (
                "What are the reasons you want to cut down?",
                "My health, my liver numbers were bad at the last check-up. And I want to be present for {child}. I missed the school play because I was hungover.",
            ),
            (
                "What would you say to yourself on a Friday evening if you were your own friend?",
                "That the craving passes in twenty minutes if I ride it out. That one drink is never one drink for me.",
            ),
        ],
    },
    "trauma": {
        "topics": ["trauma", "flashbacks", "hypervigilance"],
        "lines": [
            (
                "You mentioned the flashbacks came back this week. What set them off?",
                "A car backfired outside the office. Suddenly I was back at the crash, the glass, the smell of petrol. I had to hide in the toilets until my hands stopped shaking.",
            ),
            (
                "How has your sleep been with the nightmares?",
                "Bad. I dream about the same intersection. I wake up drenched and I check the locks twice before I can lie down again.",
            ),
            (
                "What do you notice when you're out in public?",
                "I always sit facing the door. I scan everyone who comes in. It's exhausting, being on guard all the time, but I can't switch it off.",
            ),
            (
                "How do you feel when people ask about what happened?",
                "Numb. I tell the story like it happened to someone else. Then two days later it hits me and I can't stop crying.",
            ),
            (
                "What did we practise last time for when a flashback starts?",
                "The five senses thing. Five things I can see, four I can touch. It helped once at the bus stop. I forgot it the other time.",
            ),
            (
                "What does feeling safe look like for you now?",
                "My kitchen with the radio on. My dog asleep on my feet. I want to be able to feel that somewhere outside my flat too.",
            ),
        ],
    },
}

STRATEGIES = [
    (
        "Thought record",
        "cognitive",
        (
            "Let's try a thought record with that situation. What was the automatic thought?",
            "That I'd be fired. And then we wrote the evidence for and against, and the evidence against was actually longer. That felt strange but good.",
        ),
    ),
    (
        "Box breathing",
        "relaxation",
        (
            "Let's practise the box breathing together. In for four, hold for four, out for four, hold for four.",
            "Okay. That's slower than I expected. My heart is calming down a bit. I could do this on the train.",
        ),
    ),
    (
        "Behavioural activation",
        "behavioral",
        (
            "I'd like us to plan a few small activities for the week, things that used to give you a sense of pleasure or achievement.",
            "Maybe a walk around the block on Monday and Wednesday. And I could call {friend} on Saturday. Small things.",
        ),
    ),
    (
        "Grounding",
        "trauma-focused",
        (
            "When the memory pulls you back, try grounding: name five things you see, four you can touch, three you hear.",
            "I can see the plant, the clock, your notebook, the window, my shoes. It does bring me back into the room.",
        ),
    ),
    (
        "Sleep hygiene",
        "behavioral",
        (
            "Let's look at sleep hygiene: a fixed wake-up time, no screens in the last hour, and getting up if you can't sleep after twenty minutes.",
            "The fixed wake-up time will be hard at weekends. But I'll try putting the phone in the kitchen at night.",
        ),
    ),
    (
        "I-statements",
        "communication",
        (
            "When you bring it up, try starting with an I-statement: I feel, when, and I need.",
            "I feel alone when I do bedtime every night, and I need us to take turns. That sounds so much less like an attack.",
        ),
    ),
    (
        "Urge surfing",
        "relapse prevention",
        (
            "With the cravings, try urge surfing: notice the urge, rate it, and watch it rise and fall like a wave without acting on it.",
            "So I rate it out of ten and just wait? I timed one last week without meaning to and it was gone in about fifteen minutes.",
        ),
    ),
    (
        "Exposure hierarchy",
        "exposure",
        (
            "Let's build a ladder of situations, from the least scary to the most, and start at the bottom rung this week.",
            "The bottom would be the corner shop at a quiet time. The top is the Saturday supermarket. I can do the corner shop.",
        ),
    ),
    (
        "Self-compassion break",
        "compassion-focused",
        (
            "When the critical voice starts, try speaking to yourself the way you would speak to a good friend.",
            "I'd never tell {friend} they were useless for having a bad week. I'd make them tea. I could make myself tea.",
        ),
    ),
    (
        "Worry time",
        "cognitive",
        (
            "Let's set a daily worry time, fifteen minutes in the early evening, and postpone worries until then.",
            "So when a worry comes at work I write it down and save it for six o'clock? I like that there's a place for it.",
        ),
    ),
]

ACTIONS = [
    (
        "Keep a thought record",
        "homework",
        (
            "For homework, could you fill in a thought record on two occasions this week?",
            "Yes, I'll keep the sheet in my bag so I have it with me.",
        ),
    ),
    (
        "Practise breathing twice a day",
        "practice",
        (
            "Could you practise the breathing twice a day, even when you feel calm?",
            "Morning and before bed. I'll set a reminder on my phone.",
        ),
    ),
    (
        "Schedule two pleasant activities",
        "behavioral",
        (
            "Let's write the two activities in your calendar before you leave.",
            "Monday walk and Saturday call. Done, they're in.",
        ),
    ),
    (
        "Keep a sleep diary",
        "monitoring",
        (
            "Would you keep a sleep diary until next time, bedtime, wake-up time, and how rested you feel?",
            "I can do that. I'll put a notebook on the bedside table.",
        ),
    ),
    (
        "Track drinks daily",
        "monitoring",
        (
            "Please keep tracking your drinks every day in the diary, including the days you don't drink.",
            "Including the zeros. Okay, I'll do it every night before bed.",
        ),
    ),
    (
        "Plan a weekly check-in conversation",
        "communication",
        (
            "Could you both set aside twenty minutes on Sunday evening for a check-in conversation?",
            "Sunday after {child} is in bed. We'll try it.",
        ),
    ),
]

# open exchanges that fit any session
REFLECTIONS = [
    (
        "It sounds like you've been carrying a lot on your own. What would help you share some of it?",
        "Maybe telling my {sibling} a bit more. We used to be close. I stopped calling when things got bad because I didn't want to be a bother.",
    ),
    (
        "I notice you smiled when you talked about the walk. What was good about it?",
        "The quiet, I think. Nobody needed anything from me for half an hour. The trees were turning and I actually noticed them.",
    ),
    (
        "What do you think was different about the better days this week?",
        "I got outside early on those days. And I didn't read the news first thing. It's such a small thing but it sets the tone.",
    ),
    (
        "If a friend described this week to you, what would you say to them?",
        "That it sounds tiring and they're doing better than they think. It's easier to be kind to other people.",
    ),
    (
        "How does your body feel as we talk about this?",
        "My chest is tight. My hands are cold. Talking about it makes it more real, but it also makes it feel less like a secret.",
    ),
    (
        "What are you most worried about for the coming week?",
        "The meeting on {day}. I have to present the quarterly numbers and I already feel sick thinking about it.",
    ),
    (
        "What has been getting in the way of looking after yourself?",
        "Time, mostly. And guilt. If I take an hour for myself I feel like I'm stealing it from someone.",
    ),
    (
        "Who or what has been a support lately?",
        "{friend}, for sure. And my dog. He doesn't care if I've had a bad day, he just wants his walk.",
    ),
    (
        "What did you learn about yourself from that?",
        "That I can get through a bad moment without it turning into a bad week. That's new.",
    ),
    (
        "How are you doing with the changes we talked about?",
        "Some of them stuck. The phone in the kitchen at night worked. The early walks didn't, I kept hitting snooze.",
    ),
    (
        "What would a good enough week look like?",
        "Going to work every day, seeing {friend} once, and cooking twice. Not perfect. Just good enough.",
    ),
    (
        "When you imagine things six months from now, what do you hope is different?",
        "That I feel like myself again. That I laugh more. That I'm not always bracing for the next bad thing.",
    ),
]

CLOSINGS = [
    (
        "We're nearly at time. What will you take away from today?",
        "That the thoughts aren't facts. And that small steps still count. Thank you, this helped.",
    ),
    (
        "Let's stop there for today. Same time next week?",
        "Yes, same time. Thanks. I feel a bit lighter than when I came in.",
    ),
]

# client details that lengthen a turn without changing its meaning
ELABORATIONS = [
    "I keep thinking about it on the bus in the mornings.",
    "My {sibling} says I should just relax, which doesn't help at all.",
    "It was raining all week, which didn't help my mood.",
    "I noticed it most on {day}, after a long day at {job}.",
    "I told {friend} about it and they were kind, but I still felt embarrassed.",
    "I wrote some of it down in my notes app so I wouldn't forget to tell you.",
    "It's strange, some days I feel completely normal and then it hits me.",
    "I've been drinking too much coffee too, probably four cups a day.",
    "The neighbours were renovating, so the mornings were loud.",
    "I know it sounds small when I say it out loud here.",
    "I went for one walk by the river and that was nice, for a while.",
    "My back has been sore as well, which makes sitting at my desk harder.",
    "I did manage to cook a proper meal on Sunday, which felt like an achievement.",
    "I kept replaying the conversation in my head for hours afterwards.",
    "I don't really know how to explain it better than that.",
    "Honestly, I was a bit nervous about coming in today.",
    "{friend} came over on Saturday and we watched a comedy, which helped.",
    "I skipped lunch twice this week because I was so busy.",
    "It reminded me of how things were a couple of years ago.",
    "I tried to be honest with my {sibling} about it, and it went better than I expected.",
    "The evenings are the hardest part, when the house goes quiet.",
    "I caught myself doing the old thing again, and I stopped halfway.",
    "I've started leaving my phone in another room when I eat.",
    "My manager noticed I was quieter than usual in the team meeting.",
    "It took me a long time to fall asleep after that.",
    "I'm trying not to be so hard on myself about it.",
    "Part of me knows it's not that big a deal, but it feels huge.",
    "I went to the market on {day} morning and it was okay.",
    "I had a good laugh with a colleague at lunch, which was nice.",
    "I noticed I was holding my breath while I was thinking about it.",
    "I think I've been avoiding thinking about it properly.",
    "It's been on my mind more than I expected.",
]

# figures of speech that a screen must not take for a disclosure
LOOKALIKE_TURNS = [
    "This deadline is killing me, to be honest.",
    "I could murder a pizza after those late nights.",
    "My feet were killing me after the walk.",
    "I'm dying to go on holiday this summer.",
    "We watched a film where the detective hunts a murderer, it was gripping.",
    "I nearly died laughing at my {sibling}'s story.",
    "My phone died in the middle of the call, typical.",
    "I killed it in my presentation on {day}, which surprised me.",
]

# risk disclosures: (kind, client turn, therapist follow-up, client answer);
# "indirect" ones never name the act outright
RISKS: dict[str, list[tuple[str, str, str]]] = {
    "suicidal_ideation": [
        (
            "Some nights I lie there and think everyone would be better off without me.",
            "Thank you for telling me that. Are you having thoughts of ending your life?",
            "Sometimes. I haven't done anything, but the thought is there more than it used to be.",
        ),
        (
            "I've been giving my guitar and my records away to my nephew. I won't be needing them where I'm going.",
            "That sounds important. When you say where you're going, what do you mean?",
            "I don't know. I just can't see myself being around much longer.",
        ),
        (
            "I looked up how many of my sleeping pills it would take. I have them all in a jar in my drawer.",
            "I'm really glad you told me. Let's talk about keeping you safe tonight and who can hold onto those pills.",
            "My {sibling} could keep them, I suppose. I don't want to scare them.",
        ),
        (
            "Sometimes I hope I just don't wake up in the morning.",
            "How often are you having that thought?",
            "Most nights this week, if I'm honest.",
        ),
    ],
    "self_harm": [
        (
            "I started cutting again last week, on my upper arm where no one can see.",
            "Thank you for trusting me with that. How are the cuts now, do they need looking at?",
            "They're healing. I cleaned them. I just needed the feeling to stop.",
        ),
        (
            "When it gets really bad I burn myself with a lighter, just to feel something else.",
            "What happens right before the urge comes?",
            "Usually after a fight at home, when I'm alone in my room.",
        ),
    ],
    "harm_to_others": [
        (
            "I keep thinking about hurting him, like actually waiting outside his house and hurting him.",
            "Do you have a plan or any intention to act on those thoughts?",
            "No plan. But the thoughts scare me, they're so vivid.",
        ),
    ],
    "abuse_neglect": [
        (
            "My stepdad hits me with his belt when he's been drinking.",
            "That is not okay, and it's not your fault. Are you safe at home right now?",
            "Not really. I stay at my friend's house when I can.",
        ),
        (
            "Mum leaves us home alone for days and there's no food in the house.",
            "How old are your brothers and sisters?",
            "Seven and nine. I make them toast when there's bread.",
        ),
    ],
    "intimate_partner_violence": [
        (
            "Last month he grabbed me by the throat and pushed me against the wall.",
            "I'm so sorry. Has he hurt you like that before?",
            "A couple of times. He always says sorry afterwards and buys flowers.",
        ),
        (
            "He checks my phone every night and he won't let me see my friends anymore.",
            "How does it feel when he does that?",
            "Like I'm in a cage. I'm scared of what he'd do if I left.",
        ),
    ],
    "substance_crisis": [
        (
            "Two weeks ago I took a handful of my mum's pills with the wine and woke up in the hospital.",
            "That must have been frightening. Was that an accident, or did you want to hurt yourself?",
            "I don't know. I just wanted everything to be quiet.",
        ),
        (
            "I've been mixing Xanax with vodka most nights so I can sleep.",
            "That combination is really dangerous. Can we talk about a safer plan for the nights?",
            "I know. I just don't know how else to switch off.",
        ),
    ],
    "command_hallucinations": [
        (
            "The voices are back, and last night they kept telling me to hurt my roommate.",
            "Thank you for telling me. Do you feel you have to do what the voices say?",
            "I try not to. I put music on loud. But they get louder when I'm tired.",
        ),
    ],
}
