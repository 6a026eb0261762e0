"""Whether a message is an offer search the intent classifier missed.

A pupil who names a kind of offer (Ausbildung, Lehrstelle, Praktikum, duales Studium, internship,
...) together with where (a municipality of the district, "in der Nähe", "20 km") and asks no
question about it wants offers: "ausbildung pflege ostercappeln", "praktikum 9. klasse merzen",
"any internships near me". The classifier learns this from examples, but its two biggest intents
(the rules of training and the search of occupations by interest) share these words and win such
short messages with full confidence. The held-out offer messages (tests/bot/test_offers_heldout.py)
lost a quarter of their searches that way.

`offer_intent(text, top_intent, names_a_place)` says which offer intent such a message has, or
None to keep the classifier's. It only overrides the intents that take these words wrongly
(`OVERRIDABLE`); offers, saved searches, contact requests, deletion, the check and every other
intent keep what the classifier said. A question ("wie lange dauert die Ausbildung in Melle?",
"was muss ich beim Praktikum in Bramsche beachten") stays with the classifier; "was für" and "was
gibt es" ask for offers and do not count as questions. A message that starts like a follow-up
("und", "lieber", "nur", "auch", "doch", "what about") is a change to the last search.

Changes to a search (`refine_offers`) without a kind of offer: words that only make sense for a
search ("näher dran", "weiter weg", "bis 30 km", "egal wo"), and a follow-up naming another place
or start ("und was ist mit Melle?", "lieber ab September"). "auch ähnliche Berufe" is left to the
classifier: after an occupation's profile it asks for related occupations.
"""

from __future__ import annotations

import re
from datetime import date

from knowledge.slugs import fold
from nlu.readers.offer_text import names_an_offer_kind, read_offer_words

SEARCH_OFFERS = "search_offers"
REFINE_OFFERS = "refine_offers"
# The intents whose examples share an offer search's words (rules: "Praktikum in der 9. Klasse";
# explore_professions: "Berufe mit Tieren in Melle"; the occupation questions: "Ausbildung Koch").
# Not check_answer: in the check "max 15 km" and "Praktikum" answer its questions.
OVERRIDABLE = frozenset(
    {
        "rules",
        "explore_professions",
        "ask_related",
        "ask_profession",
        "ask_tasks",
        "ask_workplaces",
        "compare_professions",
        "smalltalk",
        "nonsense",
    }
)

_WHERE = re.compile(
    r"\b(?:in (?:meiner|der) naehe|naehe|bei mir|umgebung|umkreis|um die ecke|near(?:by)?|around me"
    r"|close to me|in my area|\d{1,3} ?(?:km|kilometer\w*))\b"
)
_QUESTION = re.compile(
    r"\b(?:was(?! (?:fuer|gibt|gibts|geht))|wie|wieso|warum|weshalb|wann"
    r"|wer(?! (?:bietet|hat|sucht|bildet|nimmt))|muss|darf|brauch\w* ich"
    r"|how|what(?! about)|when|why|who|must|should|do i|does|is it)\b"
)
_FOLLOW_UP = re.compile(r"^(?:und|lieber|nur|auch|doch|oder|dann|and|only|what about|how about)\b")


def _folded(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


def offer_intent(text: str, top_intent: str | None, names_a_place: bool) -> str | None:
    """`search_offers` or `refine_offers` for an offer search the classifier took for
    `top_intent`; None to keep the classifier's intent. `names_a_place`: the message has a `place`
    entity (nlu.place_extractor)."""
    if top_intent not in OVERRIDABLE or text.lstrip().startswith("/"):
        return None
    folded = _folded(text)
    follow_up = bool(_FOLLOW_UP.match(folded))
    if _QUESTION.search(folded) and not follow_up:
        return None
    kind = names_an_offer_kind(folded)
    if kind and (names_a_place or _WHERE.search(folded)):
        return REFINE_OFFERS if follow_up else SEARCH_OFFERS
    words = read_offer_words(text, date.today())
    # words that only change a search: closer, further, a radius, anywhere in the region
    if words.closer or words.wider or words.radius_km is not None or words.anywhere:
        return REFINE_OFFERS
    # a follow-up with another place, kind or start ("und in melle?", "lieber ab september")
    if follow_up and (names_a_place or kind or words.start_from is not None):
        return REFINE_OFFERS
    return None
