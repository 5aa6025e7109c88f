"""Template augmentation, for the ``train`` split only (never ``fit`` or ``report`` rows).

Four small sets, deterministic for a seed:

* explicit threats (toxicity 1, threat 1): threats are rare (about 100 in Jigsaw);
* civil sentences that merely mention violence (all labels 0), so that "killed",
  "shot" or "murder" alone do not make a comment toxic;
* identity-term swaps: clean *training* comments that mention a group, with the term
  swapped for another group (labels stay 0), against identity-term bias;
* clean sentences with mild profanity (toxicity 0.15, obscene unknown), so that
  "damn" or "hell" alone does not hold a comment;
* counterfactuals (``modelkit.counterfactual``): civil and uncivil political sentences
  with names, parties, countries, faiths and topics drawn at random, and real news
  ``train`` comments with their politicians, parties and countries swapped (labels kept);
* only with ``identity_rows`` (the ``news-minilm-4`` trial, not shipped): a second draw
  of identity swaps, civil template sentences naming groups, more mild profanity.

The probes (``modelkit/probes.json``) are worded otherwise, so they measure what this
teaches rather than recall it. No real person names. Nothing here prints texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from modelkit.counterfactual import civil_political, name_swap_rows, swap_names, uncivil_political
from modelkit.sources import LABELS, WEIGHTS, Table
from modelkit.threat_texts import (
    EVENT,
    PLACES,
    THING,
    WHEN,
    WHO,
    civil_idioms,
    threats,
    veiled_threats,
)

# --- identity terms
# Plural group nouns and adjectives, swapped within their kind.
GROUP_NOUNS = [
    "Christians", "Muslims", "Jews", "Hindus", "Sikhs", "Buddhists", "atheists", "Catholics",
    "gay people", "lesbians", "transgender people", "women", "men", "Black people",
    "white people", "Asians", "Hispanics", "Latinos", "Mexicans", "immigrants", "Arabs",
    "Native Americans", "Africans", "Europeans", "refugees", "disabled people",
]
GROUP_ADJECTIVES = [
    "Christian", "Muslim", "Jewish", "Hindu", "Sikh", "Buddhist", "Catholic", "gay",
    "lesbian", "transgender", "Black", "white", "Asian", "Hispanic", "Latino", "Mexican",
    "Arab", "African", "European", "immigrant",
]
IDENTITY_RE = re.compile(
    r"\b(" + "|".join(sorted((re.escape(t) for t in GROUP_NOUNS + GROUP_ADJECTIVES +
                              ["gays", "blacks", "whites", "islam", "jew", "woman", "homosexual",
                               "homosexuals", "trans"]), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
"""Whole-word identity mentions (for analysis: clean comments mentioning a group)."""

MILD_PROFANITY = ["damn", "damned", "hell", "crap", "crappy", "freaking", "frigging", "sucks",
                  "screw", "pissed", "bloody", "heck", "dang"]
MILD_PROFANITY_RE = re.compile(r"\b(" + "|".join(MILD_PROFANITY) + r")\b", re.IGNORECASE)

_NOUN_RE = re.compile(r"\b(" + "|".join(sorted((re.escape(t) for t in GROUP_NOUNS),
                                             key=len, reverse=True)) + r")\b", re.IGNORECASE)
_ADJ_RE = re.compile(r"\b(" + "|".join(sorted((re.escape(t) for t in GROUP_ADJECTIVES),
                                            key=len, reverse=True)) + r")\b", re.IGNORECASE)

# --- violence mentioned civilly
_V_SENTENCES = [
    "The war killed thousands of {people} in {place}.",
    "Police shot a suspect {when} after a chase.",
    "The film is about a murder in {place}.",
    "{people} were killed when the bridge collapsed {when}.",
    "The article says the gunman was shot by officers {when}.",
    "He was sentenced for the murder of his business partner.",
    "The book describes how the army burned villages in {place}.",
    "A soldier was stabbed during the riot {when}.",
    "The report counts how many {people} died in the floods.",
    "The shooting {when} left three people injured.",
    "Our quarterback killed it {when}; what a game.",
    "The series is a thriller about a hitman who wants to retire.",
    "The attack on the convoy in {place} killed two aid workers.",
    "She wrote a history of the massacre in {place}.",
    "The museum exhibit covers the bombing of {place}.",
    "Hunting season opens {when} and deer can be shot legally.",
    "The coroner said the victim was strangled.",
    "The mayor condemned the violence and asked for calm.",
    "Gun deaths in {place} rose last year, the study found.",
    "The trial of the man accused of killing {people} starts {when}.",
]
_V_PEOPLE = ["civilians", "residents", "villagers", "people", "children", "tourists", "workers"]
_V_PLACES = ["the region", "the capital", "the north", "that city", "the valley", "the port town"]

# --- mild profanity, clean
_P_SENTENCES = [
    "This damn bill will raise my taxes again.", "That was a hell of a game last night.",
    "The traffic downtown is a damn mess every morning.", "What the hell is the council thinking?",
    "The new parking rules are pretty crappy.", "I'm so freaking tired of these delays.",
    "The weather this week really sucks.", "Hell yes, finally some good news for the town.",
    "Damn, that is a good point about the budget.", "The referee made a crappy call.",
    "Screw the deadline, I'd rather get it right.", "I was pissed off when the bus never came.",
    "It's a bloody shame the library is closing.", "Who the heck approved this design?",
    "Dang, I missed the meeting again.", "The app update is freaking useless.",
    "Hell, I'd pay double for reliable internet.", "The damn printer jammed again.",
    "That road is in crappy shape since the winter.", "This heat is hell on the tomatoes.",
]

# --- civil sentences naming a group (news-minilm-4), and more mild profanity, clean
_IC_SENTENCES = [
    "My {adj} neighbours brought soup over when we were sick.",
    "{Nouns} have lived in this {place} for generations and deserve a say in the {thing}.",
    "As a {adj} parent, I think the {thing} is a sensible compromise.",
    "I'm {adj} and I still disagree with the council about the {thing}.",
    "The {adj} community centre is hosting a food drive {when}.",
    "The survey found that {nouns} are underrepresented on the planning board.",
    "Treating {nouns} unfairly in hiring is illegal, and the report shows it still happens.",
    "Plenty of {nouns} in our {place} support the {thing}, and plenty oppose it.",
    "The article on {nouns} starting small businesses was well researched.",
    "My wife is {adj} and my brother-in-law is {adj2}; holidays are never boring.",
    "{Nouns} and {nouns2} volunteered side by side at the shelter {when}.",
    "The {adj} students at my daughter's school organised a charity run.",
    "Whether you're {adj} or {adj2}, the {thing} affects your property taxes.",
    "The candidate spoke to {nouns} and {nouns2} at the town hall {when}.",
    "Half my coworkers are {nouns}; we argue about football, not religion.",
    "The museum's new exhibit tells the history of {nouns} in the {place}.",
    "Saying all {nouns} think alike is lazy; they vote all over the map.",
    "A {adj} doctor delivered both of my kids and we still send her cards.",
    "The bill would fund language classes for {nouns} and other newcomers.",
    "Statistics on crime should not be used to smear {nouns}.",
    "Our {adj} mayor did a decent job on the {thing}, whatever you think of her party.",
    "The church, the mosque and the synagogue are holding a joint vigil {when}.",
    "I grew up around {nouns} and never heard anyone complain about them.",
    "The court ruled that the landlord discriminated against {nouns}.",
    "{Nouns} pay the same taxes as everyone else and should get the same services.",
    "There is a thoughtful op-ed today by a {adj} veteran about the {thing}.",
    "The poll of {adj} voters shows they care most about housing and jobs.",
    "My {adj} grandmother taught half the street to cook.",
    "Hiring more {adj} teachers was one of the board's better decisions.",
    "The league added a team run by {nouns} from the east side of the {place}.",
    "I am a gay man and a lifelong Republican; the two aren't in conflict for me.",
    "The black and white photos of the old {place} are wonderful.",
    "Being a woman in engineering was hard in the eighties, she said in the interview.",
    "The festival celebrates {adj} food, music and dance every summer.",
    "{Nouns} were among the first families to settle the valley.",
    "Respect goes both ways: {nouns} and {nouns2} both deserve it.",
]
_P_TEMPLATES = [
    "The {thing} is a damn waste of money, in my opinion.", "Hell, even the {who} admits it.",
    "That {thing} vote was a crappy piece of process.", "What the heck happened to the {thing}?",
    "I'm freaking tired of hearing about the {thing}.", "The {thing} sucks for commuters.",
    "Damn good reporting on {event}.", "Dang, the {who} actually answered the question.",
    "The {who} got a hell of a lot of questions {when}.", "Bloody typical: the {thing} is late.",
    "I was pretty pissed about the {thing}, but the compromise is fine.",
    "Screw it, I'll go to the next meeting and say so myself.",
    "Who the hell schedules {event} on a holiday?", "The {thing} debate is a damn circus.",
    "The road to the {place} school is in crappy shape.", "Heck of a turnout {when}.",
]


@dataclass(frozen=True)
class _Set:
    tag: str
    texts: list[str]
    targets: np.ndarray
    mask: np.ndarray
    weight: np.ndarray


def _rows(texts: list[str], toxicity: float, known: dict[str, float], tag: str) -> _Set:
    """Rows with ``toxicity`` and the ``known`` labels set; other labels masked."""
    n = len(texts)
    targets = np.zeros((n, len(LABELS)), np.float32)
    mask = np.zeros((n, len(LABELS)), np.float32)
    targets[:, 0], mask[:, 0] = toxicity, 1.0
    for label, value in known.items():
        column = LABELS.index(label)
        targets[:, column], mask[:, column] = value, 1.0
    return _Set(tag, texts, targets, mask, np.full(n, WEIGHTS["augment"], np.float32))


def _name_swaps(table: Table, rng: np.random.Generator) -> _Set:
    """Real news ``train`` rows with names swapped, keeping their labels and weights."""
    rows = name_swap_rows(table, rng)
    return _Set("name_swap", [swap_names(table.texts[i], rng) for i in rows],
                table.targets[rows], table.mask[rows], table.weight[rows])


def violence_mentions(rng: np.random.Generator, count: int = 300) -> list[str]:
    """Civil sentences that mention violence (deduplicated, sorted)."""
    out = []
    for _ in range(count):
        template = _V_SENTENCES[rng.integers(len(_V_SENTENCES))]
        out.append(template.format(people=rng.choice(_V_PEOPLE), place=rng.choice(_V_PLACES),
                                   when=rng.choice(WHEN)))
    return sorted(set(out))


def identity_swaps(table: Table, rng: np.random.Generator, count: int = 600) -> list[str]:
    """Clean ``train`` comments (every known label 0) that mention a group, term swapped."""
    clean = np.flatnonzero((table.split == "train") & (table.toxic == 0) &
                           ((table.targets * table.mask).max(axis=1, initial=0.0) == 0))
    candidates = [i for i in clean if len(table.texts[i]) < 600 and
                  (_NOUN_RE.search(table.texts[i]) or _ADJ_RE.search(table.texts[i]))]
    chosen = rng.permutation(np.array(candidates, dtype=np.int64))[:count]

    def swap(pattern: re.Pattern[str], terms: list[str], text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            others = [t for t in terms if t.lower() != match.group(0).lower()]
            return others[int(rng.integers(len(others)))]
        return pattern.sub(replace, text)

    return [swap(_ADJ_RE, GROUP_ADJECTIVES, swap(_NOUN_RE, GROUP_NOUNS, table.texts[i]))
            for i in chosen]


def identity_civil(rng: np.random.Generator, count: int = 1600) -> list[str]:
    """Civil template sentences naming groups (deduplicated, sorted, some lower-cased)."""
    nouns = [t for t in GROUP_NOUNS if t not in ("women", "men")] + ["gays", "blacks", "whites"]
    adjs = [*GROUP_ADJECTIVES, "trans", "homosexual"]
    out = set()
    for _ in range(count):
        template = _IC_SENTENCES[int(rng.integers(len(_IC_SENTENCES)))]
        n1, n2 = rng.choice(len(nouns), size=2, replace=False)
        a1, a2 = rng.choice(len(adjs), size=2, replace=False)
        text = template.format(Nouns=nouns[n1][:1].upper() + nouns[n1][1:], nouns=nouns[n1],
                               nouns2=nouns[n2], adj=adjs[a1], adj2=adjs[a2],
                               thing=rng.choice(THING), place=rng.choice(PLACES),
                               when=rng.choice(WHEN))
        out.add(text.lower() if rng.random() < 0.2 else text)
    return sorted(out)


def mild_profanity(rng: np.random.Generator, count: int = 400) -> list[str]:
    """Clean template sentences with mild profanity (deduplicated, sorted)."""
    out = set()
    for _ in range(count):
        template = _P_TEMPLATES[int(rng.integers(len(_P_TEMPLATES)))]
        text = template.format(thing=rng.choice(THING), who=rng.choice(WHO),
                               event=rng.choice(EVENT), place=rng.choice(PLACES),
                               when=rng.choice(WHEN))
        out.add(text.lower() if rng.random() < 0.2 else text)
    return sorted(out)


def augmented(table: Table, seed: int = 0,
              identity_rows: bool = False) -> tuple[Table, dict[str, int]]:
    """The augmentation rows (source ``augment``, split ``train``) and their counts per set.

    Args:
        table: the loaded sources; only its ``train`` rows feed the identity swaps.
        seed: the run's seed.
        identity_rows: also the ``news-minilm-4`` trial's sets (more identity swaps, civil
            sentences naming groups, more mild profanity); off, the rows of news-minilm-3.
    """
    rng = np.random.default_rng(seed + 1000)
    zeros = {label: 0.0 for label in LABELS[1:]}
    sets = [
        _rows(threats(rng), 1.0, {"threat": 1.0, "obscene": 0.0, "identity_attack": 0.0},
              "threat"),
        _rows(violence_mentions(rng), 0.0, zeros, "violence_civil"),
        _rows(identity_swaps(table, rng), 0.0, zeros, "identity_swap"),
        _rows(list(_P_SENTENCES), 0.15, {"severe_toxicity": 0.0, "threat": 0.0, "insult": 0.0,
                                         "identity_attack": 0.0}, "mild_profanity"),
        _rows(civil_political(rng), 0.0, zeros, "political_civil"),
        _rows(uncivil_political(rng), 1.0, {"insult": 1.0, "threat": 0.0, "obscene": 0.0},
              "political_insult"),
        _name_swaps(table, rng),
    ]
    # Drawn after the sets above, from their own generator, so that those stay as they were.
    veiled_rng = np.random.default_rng(seed + 2000)
    sets += [
        _rows(veiled_threats(veiled_rng), 1.0, {"threat": 1.0, "obscene": 0.0}, "threat_veiled"),
        _rows(civil_idioms(veiled_rng), 0.0, zeros, "idiom_civil"),
    ]
    # The news-minilm-4 trial (not shipped; docs/model.md): from a third generator.
    identity_rng = np.random.default_rng(seed + 3000)
    sets += [] if not identity_rows else [
        _rows(identity_swaps(table, identity_rng, count=1500), 0.0, zeros, "identity_swap_more"),
        _rows(identity_civil(identity_rng), 0.0, zeros, "identity_civil"),
        _rows(mild_profanity(identity_rng), 0.15, {"severe_toxicity": 0.0, "threat": 0.0,
                                                   "insult": 0.0, "identity_attack": 0.0},
              "mild_profanity_more"),
    ]
    n = sum(len(s.texts) for s in sets)
    result = Table(
        [f"augment:{s.tag}:{i}" for s in sets for i in range(len(s.texts))],
        [t for s in sets for t in s.texts],
        np.array(["augment"] * n, dtype=object), np.array(["train"] * n, dtype=object),
        np.concatenate([s.targets for s in sets]).reshape(n, len(LABELS)),
        np.concatenate([s.mask for s in sets]).reshape(n, len(LABELS)),
        np.concatenate([s.weight for s in sets]),
        np.concatenate([s.targets[:, 0] >= 0.5 for s in sets]).astype(np.float32),
        [s.tag for s in sets for _ in s.texts],
    )
    return result, {s.tag: len(s.texts) for s in sets}
