"""A Rasa tokenizer that sets German lemmas from spaCy's lookup tables.

Pupils type "berufe", "Ausbildungen" or "gibt's" for the same few ideas. Handing the featurizers
lemmas ("Beruf", "Ausbildung") instead of surface forms lets a small training set cover them all;
`CountVectorsFeaturizer` reads `Token.lemma` by default (`use_lemma: true`).

The pipeline is a blank German spaCy pipeline (no trained model, nothing downloaded) with the lookup
lemmatizer, whose table comes from the installed `spacy-lookups-data` package. Lookups tolerate the
lower-case spelling pupils use ("berufe" finds "Berufe"). English text passes through almost
unchanged because English words are, with a handful of exceptions, not in the German table.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

import spacy
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language
from spacy.lookups import Table
from spacy.pipeline import Lemmatizer


@functools.lru_cache(maxsize=1)
def _german_pipeline() -> tuple[Language, Table]:
    """Build the blank German pipeline once per process (loading the table takes ~2 s).

    `nlp.initialize()` reads the lemma table from the `spacy-lookups-data` package through
    spaCy's registry; it never touches the network. The tokenizer looks words up in the table
    itself because the pipe's own lookup is case-sensitive ("berufe" would stay "berufe").
    """
    nlp = spacy.blank("de")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    if not isinstance(lemmatizer, Lemmatizer):
        raise TypeError(f"spaCy's 'lemmatizer' factory returned {type(lemmatizer).__name__}")
    nlp.initialize()
    return nlp, lemmatizer.lookups.get_table("lemma_lookup")


def _is_punctuation(text: str) -> bool:
    return all(unicodedata.category(char).startswith("P") for char in text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class SpacyLemmaTokenizer(Tokenizer):
    """Splits text with spaCy's German rules and sets each token's lemma (lower case).

    - "gibt's" is lemmatised like "gibt" ("geben").
    - Hyphenated words stay one token ("kfz-mechatroniker"); if the whole word has no lemma, the
      part after the last hyphen is lemmatised ("Kfz-Kauffrauen" -> "kfz-kauffrau").
    - Emoji are tokens of their own ("👍" is a meaningful answer in a chat with teenagers).
    - Punctuation ("??", ",") is dropped, unless the message has nothing else: then the
      punctuation tokens are kept so that "??" still reaches the classifier.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The same options as Rasa's own tokenizers."""
        return {
            # split intent names like "ask_pay" into "ask" and "pay"
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            # a regular expression that splits tokens further
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["spacy", "spacy_lookups_data"]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self._nlp, self._lemmas = _german_pipeline()

    def lemmatize(self, word: str) -> str:
        """The lower-case lemma of one word; the word itself (lower case) when the table has none."""
        lemma = self._lookup(word)
        if lemma is None and word[-2:] in ("'s", "’s"):
            # "gibt's", "geht's": the verb carries the meaning
            lemma = self._lookup(word[:-2])
        if lemma is None and "-" in word.strip("-"):
            head, _, tail = word.rpartition("-")
            tail_lemma = self._lookup(tail)
            if tail_lemma is not None:
                lemma = f"{head}-{tail_lemma}"
        return (lemma or word).lower()

    def _lookup(self, word: str) -> str | None:
        # The table is case-sensitive: nouns are stored capitalised, other words in lower case.
        for variant in (word, word.lower(), word[:1].upper() + word[1:].lower()):
            lemma = self._lemmas.get(variant)
            if lemma:
                return str(lemma)
        return None

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Tokenizes the text of the given attribute of the message."""
        text = message.get(attribute)
        words = [(token.text, token.idx) for token in self._nlp.make_doc(text) if token.text.strip()]
        content = [(word, start) for word, start in words if not _is_punctuation(word)]
        tokens = [Token(word, start, lemma=self.lemmatize(word)) for word, start in (content or words)]
        return self._apply_token_pattern(tokens)
