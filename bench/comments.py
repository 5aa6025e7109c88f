"""Civil, newsroom-style reader comments for benchmarks: varied, plausible, never offensive.

Each comment is a few sentences built from templates and word lists, 10 to 120 words
long, so that the scorer sees the spread of lengths that a comment section has.
"""

from __future__ import annotations

import random

TOPICS = (
    "the housing plan", "the new bus routes", "the school budget", "the peace talks",
    "the water rates", "the library hours", "the election debate", "the bridge repairs",
    "the climate report", "the hospital merger", "the tax proposal", "the river clean-up",
    "the city council vote", "the trade agreement", "the rail strike", "the museum reopening",
)
OPENERS = (
    "Thanks for this reporting on {topic}.", "I read the piece on {topic} twice.",
    "Good article about {topic}, though I see it a little differently.",
    "As someone who lives near here, {topic} matters a lot to my family.",
    "I was at the meeting about {topic} last week.", "Interesting take on {topic}.",
    "My neighbours have been talking about {topic} all month.",
)
CLAIMS = (
    "The numbers in the third paragraph deserve a closer look.",
    "It would help to hear from the people who actually use the service every day.",
    "I think the costs were underestimated, as they usually are with projects like this.",
    "The timeline seems optimistic, but I hope they prove me wrong.",
    "Both sides make fair points, and a compromise looks possible.",
    "We should compare this with what neighbouring towns did a few years ago.",
    "The consultation period was far too short for a change of this size.",
    "Small businesses on the main street will feel the effect first.",
    "The report leaves out how the plan will be paid for after the first year.",
    "Older residents without internet access were not really asked.",
    "A pilot in one district would tell us more than another study.",
    "The figures from last year suggest the trend is already slowing down.",
)
QUESTIONS = (
    "Does anyone know when the final decision is expected?",
    "Could the paper follow up with the council on the budget details?",
    "Has the committee published its full minutes yet?",
    "What happened to the proposal from last spring?",
    "Will there be another public meeting before the vote?",
)
CLOSERS = (
    "Looking forward to the follow-up.", "Keep up the good work.",
    "Let's keep the discussion respectful and focused on the facts.",
    "I appreciate the balanced coverage.", "Thanks to everyone who took part.",
    "Time will tell.", "Hoping for a sensible outcome for everyone.",
)
FILLERS = (
    "In my experience", "To be fair", "On the other hand", "Honestly", "From what I can tell",
    "As far as I know", "For what it is worth",
)


def comment(rng: random.Random, min_words: int = 10, max_words: int = 120) -> str:
    """One comment of whole sentences, about ``min_words`` to ``max_words`` words."""
    target = rng.randint(min_words, max_words)
    sentences = [rng.choice(OPENERS).format(topic=rng.choice(TOPICS))]
    while _words(sentences) < target:
        kind = rng.random()
        if kind < 0.6:
            claim = rng.choice(CLAIMS)
            if rng.random() < 0.3:
                claim = f"{rng.choice(FILLERS)}, {claim[0].lower()}{claim[1:]}"
            sentences.append(claim)
        elif kind < 0.8:
            sentences.append(rng.choice(QUESTIONS))
        else:
            sentences.append(rng.choice(CLOSERS))
    while len(sentences) > 1 and _words(sentences) > max_words:
        sentences.pop()
    return " ".join(sentences)


def comments(count: int, seed: int = 7) -> list[str]:
    """``count`` comments, the same ones for the same seed."""
    rng = random.Random(seed)
    return [comment(rng) for _ in range(count)]


def _words(sentences: list[str]) -> int:
    return sum(len(sentence.split()) for sentence in sentences)
