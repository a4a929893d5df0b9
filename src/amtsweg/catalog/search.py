"""German search over the service catalogue: an in-process tantivy index built from the database.

Why in-process: the catalogue is small (tens to a few thousand services), the index builds in
milliseconds, and every web process holding its own copy means identical results on SQLite and
PostgreSQL and no shared index files (STACK.md §6). The index is rebuilt on first use and whenever the
catalogue's stamp (`amtsweg.catalog.state`) changes, also when another process made the change.

All text analysis happens here in Python, the same way for documents and queries:

1. `normalize()` folds case, umlauts (ä → a, and the spellings ae/oe/ue → a/o/u), ß → ss and other
   diacritics, and turns everything that is not a letter or digit into a space;
2. stop words are dropped and every word is reduced with the Snowball German stemmer;
3. compounds are split into words the catalogue knows (`Erdwärmebohrung` → `erdwarme` + `bohrung`),
   and the parts are indexed and searched as well;
4. colloquial words are expanded with a small thesaurus (`thesaurus.py`: Perso → Personalausweis).

Ranking: BM25 per field with boosts name > synonyms > short text > full text, plus fuzzy matching of
each word (typos, one or two edits depending on length), a bonus when the query's words appear as a
phrase in the name or a synonym, and a low-weight character n-gram field as a last resort.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
import tantivy

from amtsweg.catalog import state
from amtsweg.catalog.thesaurus import expand

MAX_QUERY_LENGTH = 200  # characters; longer input is refused by the views and the API
MAX_QUERY_WORDS = 12
CACHE_SIZE = 4096  # cached result lists per index build
SEPARATOR = "qqsep"  # indexed between synonyms so that a phrase never spans two of them

# Field boosts: name > synonyms > short text > full text.
BOOST = {
    "name": 6.0,
    "synonyms": 4.5,
    "short": 2.0,
    "full": 0.6,
    "parts": 1.6,
    "grams": 0.25,
}
FUZZY_BOOST = {"name": 2.2, "synonyms": 1.8, "short": 0.5}
PHRASE_BOOST = {"name": 5.0, "synonyms": 5.0}
PREFIX_BOOST = {"name": 2.5, "synonyms": 2.0}

# Snowball's German stop word list, trimmed to what citizens type around the words that matter.
STOP_WORDS = frozenset(
    """aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes anderm
    andern anderr anders auch auf aus bei bin bis bist da damit dann das dass dasselbe dazu dein deine deinem
    deinen deiner deines dem demselben den denn denselben der derer derselbe derselben des desselben dessen
    dich die dies diese dieselbe dieselben diesem diesen dieser dieses dir doch dort du durch ein eine einem
    einen einer eines einig einige einigem einigen einiger einiges einmal er es etwas euch euer eure eurem
    euren eurer eures fur gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr
    ihre ihrem ihren ihrer ihres im in indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener jenes
    jetzt kann kein keine keinem keinen keiner keines konnen konnte machen man manche manchem manchen mancher
    manches mein meine meinem meinen meiner meines mich mir mit muss musste nach nicht nichts noch nun nur ob
    oder ohne sehr sein seine seinem seinen seiner seines selbst sich sie sind so solche solchem solchen
    solcher solches soll sollte sondern sonst um und uns unsere unserem unseren unser unseres unter viel vom
    von vor wahrend war waren warst was weg weil weiter welche welchem welchen welcher welches wenn werde
    werden wie wieder will wir wird wirst wo wollen wollte wurde wurden zu zum zur zwar zwischen bitte wo
    wann wer welche brauche brauchen benotige mochte mochten muss mussen hallo""".split()  # noqa: SIM905 (a word list reads better as text)
)
LINKS = ("", "s", "es", "n", "en", "e", "er")  # Fugenelemente between the parts of a compound
MIN_PART = 4

_DIGRAPH = re.compile(r"(?<![aeiouyq])([aou])e")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """Fold a text for matching: lower case, ä/ae → a, ö/oe → o, ü/ue → u, ß → ss, no diacritics,
    only letters and digits separated by single spaces. Used for documents and queries alike."""
    text = unicodedata.normalize("NFKC", text or "").casefold()  # casefold turns ß (and ẞ) into ss
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _NON_WORD.sub(" ", text)
    return _DIGRAPH.sub(r"\1", text).strip()


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("german")


def words(text: str) -> list[str]:
    """Normalised words without stop words (not stemmed)."""
    return [w for w in normalize(text).split() if w not in STOP_WORDS]


def stems(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


def grams(word: str, n: int = 4) -> list[str]:
    padded = f"_{word}_"
    if len(padded) <= n:
        return [padded]
    return [padded[i : i + n] for i in range(len(padded) - n + 1)]


class Decompounder:
    """Splits compounds into words the catalogue knows.

    The vocabulary is every word (and stem) of the catalogue's texts. Heads that occur only inside
    compounds are learnt from the vocabulary itself: "erdwarmesonde" = ? + "sonde" teaches "erdwarme".
    Queries are split only into known parts; documents may also split off an unknown head of at least
    four letters in front of a known word ("ersatzfuhrerschein" → "ersatz" + "fuhrerschein").
    """

    def __init__(self, vocabulary: set[str]):
        self.vocabulary = {w for w in vocabulary if len(w) >= MIN_PART}
        self.heads: set[str] = set()
        self._memo: dict[tuple[str, bool], tuple[str, ...]] = {}
        for word in self.vocabulary:
            for cut in range(MIN_PART, len(word) - MIN_PART + 1):
                for link in LINKS:
                    if word.startswith(link, cut) and word[cut + len(link) :] in self.vocabulary:
                        self.heads.add(word[:cut])

    def _known(self, part: str) -> bool:
        return part in self.vocabulary or stem(part) in self.vocabulary

    def split(self, word: str, *, liberal: bool = False) -> tuple[str, ...]:
        """The parts of `word` (at least two), or () when it is no known compound."""
        key = (word, liberal)
        if key not in self._memo:
            if len(self._memo) > 50_000:
                self._memo.clear()
            self._memo[key] = self._split(word, liberal)
        return self._memo[key]

    def _split(self, word: str, liberal: bool) -> tuple[str, ...]:
        """All parts of every plausible split (a compound may be read more than one way:
        "kinderreisepass" gives "kinder", "reisepass", "kinderreise", "pass")."""
        if len(word) < 2 * MIN_PART:
            return ()
        parts: dict[str, None] = {}
        for cut in range(MIN_PART, len(word) - MIN_PART + 1):
            head = word[:cut]
            head_known = self._known(head) or head in self.heads
            for link in LINKS:
                if not word.startswith(link, cut):
                    continue
                tail = word[cut + len(link) :]
                if len(tail) < MIN_PART:
                    continue
                if self._known(tail) and (head_known or (liberal and link in ("", "s"))):
                    parts.update({head: None, tail: None})
                elif head_known:
                    rest = self.split(tail)
                    if rest:
                        parts.update({head: None, **dict.fromkeys(rest)})
        parts.pop(word, None)
        return tuple(parts)


@dataclass(frozen=True)
class Hit:
    key: str
    name: str
    name_en: str
    score: float


class CatalogIndex:
    """One build of the index over a list of service documents."""

    def __init__(self, documents: list[dict], stamp):
        self.stamp = stamp
        self.documents = {d["key"]: d for d in documents}
        vocabulary: set[str] = set()
        for doc in documents:
            for text in (doc["name"], *doc["synonyms"], doc["short_text"], doc["full_text"]):
                for word in words(text):
                    vocabulary.add(word)
                    vocabulary.add(stem(word))
        self.decompounder = Decompounder(vocabulary)
        self.vocabulary = vocabulary

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("key", stored=True, tokenizer_name="raw")
        for name in ("name", "synonyms", "short", "full", "parts", "grams"):
            builder.add_text_field(name, stored=False, tokenizer_name="aw")
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema)
        self.index.register_tokenizer(
            "aw", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        )
        writer = self.index.writer(heap_size=15_000_000, num_threads=1)
        for doc in documents:
            writer.add_document(tantivy.Document(**self._fields(doc)))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        # Document address → key, read once, so a search never loads stored documents.
        everything = self.searcher.search(
            tantivy.Query.all_query(), limit=max(len(documents), 1), count=False
        )
        self._keys = {
            (address.segment_ord, address.doc): self.searcher.doc(address)["key"][0]
            for _, address in everything.hits
        }
        self._cache: OrderedDict[tuple[str, bool], tuple[Hit, ...]] = OrderedDict()
        self._cache_lock = threading.Lock()

    def _analyse(self, text: str) -> list[str]:
        return [stem(w) for w in words(text)]

    def _fields(self, doc: dict) -> dict:
        name_words = words(doc["name"]) + words(doc.get("name_en") or "")
        synonym_texts = doc["synonyms"]
        parts: list[str] = []
        gram_list: list[str] = []
        for word in name_words + [w for s in synonym_texts for w in words(s)]:
            parts.extend(stem(p) for p in self.decompounder.split(word, liberal=True))
            gram_list.extend(grams(word))
        synonyms = f" {SEPARATOR} ".join(" ".join(self._analyse(s)) for s in synonym_texts)
        return {
            "key": doc["key"],
            "name": " ".join(stem(w) for w in name_words),
            "synonyms": synonyms,
            "short": " ".join(
                self._analyse(doc["short_text"]) + self._analyse(doc.get("short_text_en") or "")
            ),
            "full": " ".join(self._analyse(doc["full_text"])),
            "parts": " ".join(parts),
            "grams": " ".join(gram_list),
        }

    # --- queries -----------------------------------------------------------------------------------

    def _term(self, field: str, value: str, boost: float):
        return tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, field, value), boost)

    def _word_query(self, word: str, *, last: bool, prefix: bool):
        """All the ways one query word may match, combined as alternatives."""
        clauses = []
        variants = [(word, 1.0)] + [(alt, weight) for alt, weight in expand(word)]
        for variant, weight in variants:
            root = stem(variant)
            for field in ("name", "synonyms", "short", "full", "parts"):
                clauses.append(self._term(field, root, BOOST[field] * weight))
            parts = self.decompounder.split(variant)
            for part in parts:
                for field in ("name", "synonyms", "parts"):
                    clauses.append(self._term(field, stem(part), BOOST[field] * 0.5 * weight))
        root = stem(word)
        # Typo tolerance only for words the catalogue does not know: a known word is no typo, and fuzzy
        # automata are the most expensive part of a query.
        if len(root) >= 4 and word not in self.vocabulary and root not in self.vocabulary:
            distance = 1 if len(root) < 8 else 2
            for field, boost in FUZZY_BOOST.items():
                clauses.append(
                    tantivy.Query.boost_query(
                        tantivy.Query.fuzzy_term_query(self.schema, field, root, distance, True, False), boost
                    )
                )
        if last and prefix and len(word) >= 3:
            for field, boost in PREFIX_BOOST.items():
                clauses.append(
                    tantivy.Query.boost_query(
                        tantivy.Query.fuzzy_term_query(
                            self.schema, field, word if len(word) < 5 else root, 0, True, True
                        ),
                        boost,
                    )
                )
        gram_clauses = [self._term("grams", g, BOOST["grams"]) for g in grams(word)]
        clauses.append(tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in gram_clauses]))
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in clauses])

    def search(self, query: str, limit: int = 10, *, prefix: bool = False) -> list[Hit]:
        return list(self.search_all(query, prefix=prefix)[:limit])

    def search_all(self, query: str, *, prefix: bool = False) -> tuple[Hit, ...]:
        """Every relevant hit, best first. Results are cached per index build (LRU): citizens ask the
        same questions again and again, and a new build starts with an empty cache."""
        cache_key = (" ".join(words(query)[:MAX_QUERY_WORDS]), prefix)
        with self._cache_lock:
            cached = self._cache.get(cache_key)
            if cached is not None:
                self._cache.move_to_end(cache_key)
                return cached
        hits = tuple(self._run(cache_key[0], prefix=prefix))
        with self._cache_lock:
            self._cache[cache_key] = hits
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return hits

    def _run(self, query: str, *, prefix: bool) -> list[Hit]:
        query_words = query.split()
        if not query_words:
            return []
        clauses = [
            self._word_query(word, last=(i == len(query_words) - 1), prefix=prefix)
            for i, word in enumerate(query_words)
        ]
        roots = [stem(w) for w in query_words]
        if len(roots) > 1:
            for field, boost in PHRASE_BOOST.items():
                clauses.append(
                    tantivy.Query.boost_query(
                        tantivy.Query.phrase_query(self.schema, field, roots, slop=1), boost
                    )
                )
        query_obj = tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in clauses])
        result = self.searcher.search(query_obj, limit=len(self.documents) or 1, count=False)
        scored = [
            (round(score, 4), self._keys[(address.segment_ord, address.doc)])
            for score, address in result.hits
        ]
        # Sort by score, then key: deterministic order for equal scores.
        scored.sort(key=lambda item: (-item[0], item[1]))
        best = scored[0][0] if scored else 0
        hits = []
        for score, key in scored:
            if score < best * 0.08:  # far behind the best hit: n-gram noise, not an answer
                break
            doc = self.documents[key]
            hits.append(Hit(key=key, name=doc["name"], name_en=doc.get("name_en") or "", score=score))
        return hits


# --- the process-wide index --------------------------------------------------------------------

_lock = threading.Lock()
_index: CatalogIndex | None = None
_dirty = True


def _mark_dirty():
    global _dirty
    _dirty = True


state.on_change(_mark_dirty)


def _documents() -> list[dict]:
    from amtsweg.catalog.models import Service

    return list(
        Service.objects.order_by("key").values(
            "key", "name", "name_en", "synonyms", "short_text", "short_text_en", "full_text"
        )
    )


def get_index(stamp=None) -> CatalogIndex:
    """The current index, rebuilt when the catalogue's stamp differs from the one it was built from
    (one small query per call; callers that already read the stamp pass it in)."""
    global _index, _dirty
    if stamp is None:
        stamp = state.current()
    index = _index
    if index is not None and not _dirty and index.stamp == stamp:
        return index
    with _lock:
        if _index is not None and not _dirty and _index.stamp == stamp:
            return _index
        _dirty = False
        _index = CatalogIndex(_documents(), stamp)
        return _index


def search(query: str, limit: int = 10, *, prefix: bool = False, stamp=None) -> list[Hit]:
    """Services matching a citizen's words, best first."""
    return get_index(stamp).search(query, limit, prefix=prefix)


def search_all(query: str, *, prefix: bool = False, stamp=None) -> tuple[Hit, ...]:
    """Every relevant hit (for the total count), best first."""
    return get_index(stamp).search_all(query, prefix=prefix)


def suggest(query: str, limit: int = 6, *, stamp=None) -> list[Hit]:
    """Search as you type: the last word may be incomplete."""
    return get_index(stamp).search(query, limit, prefix=True)
