"""Counterfactual augmentation: names and news topics are not toxicity.

A model that saw politics mostly in toxic-selected comments learns that "Trump",
"Ukraine" or "immigration" are toxic. Two sets teach it otherwise, for the ``train``
split only:

* template sentences about politics, war, elections and religion, each written civilly
  and again with an insult added, filled with politicians, parties, countries, faiths and
  topics drawn at random: the same slot is civil in one row and uncivil in another, so
  only the insult separates them;
* real ``train`` news comments that name a politician, party or country, with each
  such mention swapped for another of its kind (labels kept: the name was not the reason).

The suite's test sentences (``tests/modelkit/test_counterfactual.py`` and the service's
political-comment test) are worded otherwise, so they measure what this teaches rather
than recall it. Public politicians only; no private person. Nothing here prints texts.
"""

from __future__ import annotations

import re

import numpy as np

from modelkit.sources import Table

POLITICIANS = [
    "Trump", "Biden", "Obama", "Hillary Clinton", "Kamala Harris", "Nancy Pelosi",
    "Mitch McConnell", "Bernie Sanders", "Elizabeth Warren", "Putin", "Zelensky", "Trudeau",
    "Macron", "Merkel", "Netanyahu", "Xi Jinping", "Modi", "Erdogan", "Boris Johnson",
    "Rishi Sunak", "Keir Starmer", "Ron DeSantis", "Gavin Newsom", "Chuck Schumer",
    "Ted Cruz", "Mitt Romney", "Mike Pence", "George W. Bush", "Reagan", "Kim Jong Un",
    "Viktor Orban", "Giorgia Meloni", "Olaf Scholz", "Lula", "Javier Milei", "Justin Trudeau",
    "Stephen Harper", "Jason Kenney", "Doug Ford", "Rachel Notley", "Paul Ryan",
    "Lindsey Graham", "Marco Rubio", "Jeb Bush", "Joe Manchin", "Jeremy Corbyn",
    "Theresa May", "Emmanuel Macron", "Angela Merkel", "Vladimir Putin",
]
PARTIES = [
    "Democrats", "Republicans", "the GOP", "Liberals", "Conservatives", "the Tories",
    "Labour", "the NDP", "the Greens", "progressives", "libertarians", "the left",
    "the right", "the Senate", "Congress", "Parliament", "the White House",
]
COUNTRIES = [
    "Ukraine", "Russia", "China", "Israel", "Iran", "Mexico", "Canada", "France", "Germany",
    "Palestine", "Gaza", "Taiwan", "North Korea", "Syria", "Venezuela", "Turkey", "India",
    "Saudi Arabia", "Poland", "Cuba", "Afghanistan", "Iraq", "the United States", "Britain",
]
FAITHS = ["Christians", "Muslims", "Jews", "Catholics", "Hindus", "evangelicals", "atheists",
          "Mormons", "Sikhs", "Buddhists"]
TOPICS = [
    "immigration", "abortion", "gun control", "climate change", "the border wall", "taxes",
    "NATO", "tariffs", "the election", "health care", "vaccines", "the war", "refugees",
    "policing", "the pipeline", "the minimum wage", "the budget deficit", "free trade",
    "the death penalty", "school choice", "oil sands", "carbon pricing", "Brexit",
    "same-sex marriage", "the impeachment", "voter ID laws", "foreign aid", "the sanctions",
]

_CIVIL = [
    "I think {name} made the right call on {topic}, even if the timing was poor.",
    "{name} deserves credit for finally addressing {topic}.",
    "I disagree with {name} about {topic}, but the argument deserves a fair hearing.",
    "{party} and {party2} should sit down and work out a deal on {topic}.",
    "What {country} does next will shape the debate over {topic} for years.",
    "If {country} keeps escalating, the rest of the world has to respond together.",
    "{name} won the debate on substance, in my opinion.",
    "Voters in {country} deserve a clear plan, not slogans, on {topic}.",
    "I voted for {name} last time and I am still undecided this time.",
    "The article is fair to {name}, though it leaves out the cost of the plan.",
    "{faith} in my town organised a food drive for the families displaced by the war.",
    "Both {party} and {party2} have broken promises on {topic}.",
    "Sanctions on {country} only work if allies enforce them.",
    "{name}'s speech on {topic} was long on promises and short on numbers.",
    "Peace talks between {country} and {country2} look further away than ever.",
    "My neighbours are {faith} and they care about {topic} as much as anyone.",
    "I'd like to hear what {name} actually plans to do about {topic}.",
    "{party} won the seat, and now they have to deliver on {topic}.",
    "The polls show {name} ahead, but the election is months away.",
    "A ceasefire in {country} would save lives; both sides should accept it.",
    "Good reporting. The numbers on {topic} speak for themselves.",
    "{name} is wrong about {topic}, and here is why: the data say otherwise.",
    "Critics of {name} have a point about {topic}, but so do supporters.",
    "Whatever you think of {name}, the vote on {topic} was close.",
    "{country} and {country2} signed a trade deal that covers {topic}.",
    "Troops from {country} crossed the border overnight, according to the report.",
    "Security guarantees for {country} matter more than where the lines are drawn.",
    "The war in {country} has displaced millions, and winter is coming.",
    "{party} should stop blaming {party2} and propose something on {topic}.",
    "I was raised among {faith} and never heard anyone speak that way about {topic}.",
]
_INSULTS = [
    "{name} is a complete idiot and so is everyone who voted for him.",
    "Only a moron would believe {name} on {topic}.",
    "{party} are a bunch of brainless clowns.",
    "Anyone who supports {name} is too stupid to be allowed to vote.",
    "{name} is a lying piece of garbage.",
    "Shut up, you ignorant fool, you know nothing about {topic}.",
    "{faith} are disgusting and should get out of our country.",
    "People from {country} are subhuman trash.",
]
_INSULT_TAILS = [
    " What an idiot.", " Only a moron would disagree.", " You people are pathetic losers.",
    " Shut up, you clown.", " Stupid, stupid, stupid.", " Get lost, you ignorant fool.",
    " Typical brain-dead voters.", " What a pathetic excuse for a human being.",
]

_NAME_RE = re.compile(r"\b(" + "|".join(sorted((re.escape(t) for t in POLITICIANS), key=len,
                                             reverse=True)) + r")\b")
_PARTY_RE = re.compile(r"\b(" + "|".join(sorted((re.escape(t) for t in PARTIES
                                                 if not t.startswith("the ")),
                                                key=len, reverse=True)) + r")\b")
_COUNTRY_RE = re.compile(r"\b(" + "|".join(sorted((re.escape(t) for t in COUNTRIES
                                                   if not t.startswith("the ")),
                                                  key=len, reverse=True)) + r")\b")


def _fill(template: str, rng: np.random.Generator) -> str:
    def pick(pool: list[str]) -> str:
        return pool[int(rng.integers(len(pool)))]

    party, country = pick(PARTIES), pick(COUNTRIES)
    text = template.format(
        name=pick(POLITICIANS), party=party, party2=pick([p for p in PARTIES if p != party]),
        country=country, country2=pick([c for c in COUNTRIES if c != country]),
        faith=pick(FAITHS), topic=pick(TOPICS))
    return text[0].upper() + text[1:]


def civil_political(rng: np.random.Generator, count: int = 900) -> list[str]:
    """Civil sentences about politics, war, elections and faith (deduplicated, sorted)."""
    return sorted({_fill(_CIVIL[i % len(_CIVIL)], rng) for i in range(count)})


def uncivil_political(rng: np.random.Generator, count: int = 700) -> list[str]:
    """The same kind of sentences with an insult added, and plain political insults."""
    out = set()
    for i in range(count):
        if i % 3 == 2:
            out.add(_fill(_INSULTS[int(rng.integers(len(_INSULTS)))], rng))
        else:
            tail = _INSULT_TAILS[int(rng.integers(len(_INSULT_TAILS)))]
            out.add(_fill(_CIVIL[int(rng.integers(len(_CIVIL)))], rng) + tail)
    return sorted(out)


def name_swap_rows(table: Table, rng: np.random.Generator, count: int = 1500) -> np.ndarray:
    """``train`` news rows (``news``, ``civil``) that name a politician, party or country."""
    rows = np.flatnonzero((table.split == "train") & np.isin(table.source, ["news", "civil"]))
    hits = [i for i in rows if len(table.texts[i]) < 1000 and (
        _NAME_RE.search(table.texts[i]) or _PARTY_RE.search(table.texts[i])
        or _COUNTRY_RE.search(table.texts[i]))]
    return np.sort(rng.permutation(np.array(hits, dtype=np.int64))[:count])


def swap_names(text: str, rng: np.random.Generator) -> str:
    """``text`` with every politician, party and country swapped for another of its kind."""
    def swapper(pool: list[str]):  # type: ignore[no-untyped-def]
        def replace(match: re.Match[str]) -> str:
            others = [t for t in pool if t != match.group(0)]
            return others[int(rng.integers(len(others)))]
        return replace

    text = _NAME_RE.sub(swapper(POLITICIANS), text)
    text = _PARTY_RE.sub(swapper([p for p in PARTIES if not p.startswith("the ")]), text)
    return _COUNTRY_RE.sub(swapper([c for c in COUNTRIES if not c.startswith("the ")]), text)
