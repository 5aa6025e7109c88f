"""Threat texts for the augmentation (``modelkit.augment``, train split only): explicit
threats, veiled, idiomatic and conditional ones (``news-minilm-3``), and civil idioms
that share their words (all labels 0). Written for it, worded unlike the probes.
"""

from __future__ import annotations

import numpy as np

# --- threats
_T_SUBJECTS = ["People like you", "Idiots like you", "You and your friends", "Your whole family",
               "Every one of them", "Whoever wrote this", "Traitors like him", "That moderator",
               "Guys like that", "The people who did this", "You", "Your kind"]
_T_PASSIVE = ["should be shot", "should be hanged", "deserve to be killed", "need to be put down",
              "should be beaten to death", "ought to be shot on sight", "should be lynched",
              "deserve a bullet", "should be burned alive", "need to be eliminated"]
_T_FIRST = ["I will find you and kill you", "I am going to kill you", "I will hunt you down",
            "I'm going to break your neck", "I will burn your house down",
            "I am coming for you and you will bleed", "I will stab you",
            "I'm going to shoot you", "I will beat you senseless",
            "I know where you live and I will hurt you", "I will murder you",
            "I swear I will end your life"]
_T_TAIL = ["", ".", "!", " tonight.", " soon.", ", count on it.", ", just wait.",
           " if you post again.", ". Watch your back."]
_T_SOMEONE = ["Someone should put a bullet in", "Somebody needs to shoot",
              "Someone should strangle", "Somebody should stab", "Someone ought to kill",
              "Somebody should run over"]
_T_OBJECTS = ["him", "her", "them", "you", "that idiot", "this writer", "the lot of them",
              "that troll", "every one of these people", "the guy who posted this"]

# --- veiled, idiomatic and conditional threats (news-minilm-3)
# Death wishes, "you won't see next week", threats dressed as advice or conditions,
# intimidation about family and home, and calls to hang, lynch or shoot a group. Worded
# unlike every probe set (no ditch, rope-and-tree, blood-debt or grave-depth idioms).
_VT_TARGETS = ["you", "that reporter", "the judge", "this writer", "the mayor", "that councilman",
               "the moderator", "her", "him", "the guy who wrote this", "that senator",
               "the school board chair", "this columnist", "the landlord", "that cop"]
_VT_GROUPS = ["the traitors in Congress", "every senator who voted for this", "the judges",
              "the whole city council", "these journalists", "the protesters", "the looters",
              "the people running this paper", "those bureaucrats", "the strikers",
              "the election officials", "the jury", "these activists", "the cops involved"]
_VT_WISH = ["I hope {ts} get{s} hit by a bus", "I hope {ts} die{s} slowly",
            "I hope somebody runs {t} off the road", "I hope {ts} choke{s} on the next meal",
            "I hope {ts} never wake{s} up", "I hope the plane with {t} on it goes down",
            "The world will be a better place when {ts} {are} gone for good",
            "Nobody would miss {t} if {ts} vanished", "I pray {ts} get{s} what's coming",
            "Can't wait to read {p} obituary", "I'd throw a party at {p} funeral"]
_VT_TIME = ["{T} won't see next week", "{T} won't live to see the election",
            "{T} won't make it to Christmas", "{T} {are} not going to see another birthday",
            "{P} days are numbered", "Enjoy {p} last weekend", "{T} {are} living on borrowed time",
            "This will be {p} last summer", "{T} won't be around much longer"]
_VT_IF = ["Accidents happen to people who {act}", "People who {act} tend to get hurt",
          "Bad things happen to those who {act}", "{act_cap} again and see what happens to {t}",
          "One more time you {act} and {ts} will be leaving in an ambulance",
          "{act_cap} once more and nobody will find the body",
          "If {ts} {act_3} again, {ts} won't be walking away from it",
          "Remember what happens to people who {act}"]
_VT_ACTS = [("write articles like this", "writes articles like this"),
            ("run their mouth", "runs their mouth"), ("testify", "testifies"),
            ("talk to the police", "talks to the police"), ("post lies", "posts lies"),
            ("cross the union", "crosses the union"), ("vote that way", "votes that way"),
            ("snitch", "snitches"), ("publish names", "publishes names"),
            ("show up at the meeting", "shows up at the meeting")]
_VT_INTIMIDATE = ["We know where your kids go to school", "We know what car your wife drives",
                  "I know which bus your son takes every morning",
                  "We've been watching you leave the office every night",
                  "Your family should be very careful from now on",
                  "I found your home address, see you soon",
                  "Funny how easy it was to find where you sleep",
                  "Tell your kids to look both ways, if you get my meaning",
                  "We have people near your house right now",
                  "Lock your doors tonight, we know the street"]
_VT_GROUP = ["Hang {g}, every last one", "Round up {g} and shoot them",
             "It's time to lynch {g}", "Somebody should lynch {g}",
             "{G} should be hanged in the town square", "Shoot {g} on sight",
             "Bring back public hangings, starting with {g}", "The only cure for {g} is a bullet",
             "Get the rope ready for {g}", "Put {g} against the fence and shoot"]
_VT_VANISH = ["Someone should make {t} disappear", "Somebody needs to take care of {t} permanently",
              "{T} should have an accident", "Make sure {t} never writes another word",
              "Someone should shut {t} up for good", "A few of us should pay {t} a visit at night",
              "{T} need{s} to be silenced, permanently", "Somebody should end {t}"]
_VT_TAIL = ["", ".", "!", ". Just saying.", ". Think about it.", ", and I mean that.",
            ". Consider yourself warned.", ". Watch yourself."]

# --- civil idioms that share the threats' words (all labels 0)
_CI_SENTENCES = [
    "The {who}'s campaign is dead in the water after {event}.",
    "That bill will be buried in committee {when}.",
    "The team killed it {when}; best game of the season.",
    "Can you help me hang the picture above the fireplace?",
    "I'd die for a coffee right now, the meeting ran long.",
    "The {party} will pay the price at the polls {when}.",
    "The council shot down the {thing} {when}.",
    "The {thing} was dead on arrival in the legislature.",
    "My phone died halfway through the {who}'s speech.",
    "Hang in there, the election results come in {when}.",
    "I'm dying to see how the {who} answers that question.",
    "The {party} got crushed in the {place} race {when}.",
    "The {thing}'s days are numbered now that the funding is gone.",
    "You won't see gas prices this low next week.",
    "Accidents happen on that stretch of highway every winter.",
    "We know where the new school will be built: on the old mill site.",
    "The {thing} is going to disappear from the budget {when}.",
    "The magician made the card disappear in front of the crowd.",
    "The {who} hung up on the reporter {when}.",
    "The old mill was torn down and nobody will miss it.",
    "The {who} took a beating in the polls {when}.",
    "Shoot me an email about the {thing} when you get a chance.",
    "The market took a hit {when} but recovered by noon.",
    "The {party} will get wiped out in {place} if turnout stays low.",
    "That comedian was killing it at the fundraiser {when}.",
    "The plan will be executed in three phases starting {when}.",
    "The cuts will bleed the {place} schools dry.",
    "The {who} buried the report until after the vote.",
    "Enjoy your last summer before college, the teacher told the seniors.",
    "He was hanged in 1865, the museum plaque says.",
    "The {who} was shot down by the moderator for running over time.",
    "This heat is going to be the death of my garden.",
    "The {party} is living on borrowed time in {place}, the pollster said.",
    "Our rivals will be history after the game {when}.",
    "The {thing} got killed in the Senate {when}.",
    "If you testify at the hearing, bring a copy of your statement.",
    "People who skip the vote tend to regret it later.",
    "Bad things happen to budgets that ignore maintenance.",
    "The {who} said the {thing} would have an accident rate problem without crossings.",
    "The {who} made the deficit look like it would disappear overnight.",
]
WHO = ["governor", "senator", "mayor", "candidate", "premier", "chairwoman", "councilman",
           "minister", "president", "opposition leader"]
PARTY = ["Democrats", "Republicans", "Liberals", "Conservatives", "Greens", "incumbents",
             "Tories", "New Democrats"]
THING = ["stadium deal", "transit plan", "school levy", "pipeline proposal", "zoning reform",
             "tax cut", "housing bill", "budget amendment", "parking fee", "bike lane plan"]
EVENT = ["the scandal", "the debate", "last night's interview", "the leaked memo",
             "the primary"]
PLACES = ["district", "suburban", "rural", "county", "state", "city"]

WHEN = ["yesterday", "on Monday", "last week", "this morning", "in 1944", "last night"]
"""When something happened (civil idioms and violence mentioned civilly)."""


def threats(rng: np.random.Generator, count: int = 360) -> list[str]:
    """Explicit threats from the templates (a deterministic sample, some lower-cased)."""
    pool = [f"{s} {p}{t}" for s in _T_SUBJECTS for p in _T_PASSIVE for t in _T_TAIL[:4]]
    pool += [f"{s}{t}" for s in _T_FIRST for t in _T_TAIL]
    pool += [f"{s} {o}{t}" for s in _T_SOMEONE for o in _T_OBJECTS for t in _T_TAIL[:3]]
    chosen = rng.choice(len(pool), size=min(count, len(pool)), replace=False)
    texts = [pool[i] for i in sorted(chosen)]
    return [t.lower() if rng.random() < 0.3 else t for t in texts]


def _fill(template: str, target: str, rng: np.random.Generator) -> str:
    """A veiled-threat template with its target (and the verb agreeing with it)."""
    second = target == "you"
    possessive = {"you": "your", "her": "her", "him": "his"}.get(target, f"{target}'s")
    subject = {"him": "he", "her": "she"}.get(target, target)
    act, act_3 = _VT_ACTS[int(rng.integers(len(_VT_ACTS)))]
    text = template.format(t=target, ts=subject, T=subject[:1].upper() + subject[1:],
                           p=possessive,
                           P=possessive[:1].upper() + possessive[1:], s="" if second else "s",
                           are="are" if second else "is", act=act, act_3=act_3 if not second
                           else act, act_cap=act[:1].upper() + act[1:])
    return text[:1].upper() + text[1:]


def veiled_threats(rng: np.random.Generator, count: int = 900) -> list[str]:
    """Veiled, idiomatic and conditional threats (deduplicated, sorted, some lower-cased)."""
    templates = _VT_WISH + _VT_TIME + _VT_IF + _VT_VANISH
    out = set()
    for _ in range(count):
        kind = rng.random()
        if kind < 0.15:
            text = _VT_INTIMIDATE[int(rng.integers(len(_VT_INTIMIDATE)))]
        elif kind < 0.35:
            group = _VT_GROUPS[int(rng.integers(len(_VT_GROUPS)))]
            template = _VT_GROUP[int(rng.integers(len(_VT_GROUP)))]
            text = template.format(g=group, G=group[:1].upper() + group[1:])
        else:
            template = templates[int(rng.integers(len(templates)))]
            text = _fill(template, _VT_TARGETS[int(rng.integers(len(_VT_TARGETS)))], rng)
        text += _VT_TAIL[int(rng.integers(len(_VT_TAIL)))]
        out.add(text.lower() if rng.random() < 0.2 else text)
    return sorted(out)


def civil_idioms(rng: np.random.Generator, count: int = 1200) -> list[str]:
    """Civil sentences whose idioms share the threats' words (deduplicated, sorted)."""
    out = set()
    for _ in range(count):
        template = _CI_SENTENCES[int(rng.integers(len(_CI_SENTENCES)))]
        out.add(template.format(who=rng.choice(WHO), party=rng.choice(PARTY),
                                thing=rng.choice(THING), event=rng.choice(EVENT),
                                place=rng.choice(PLACES), when=rng.choice(WHEN)))
    return sorted(out)
