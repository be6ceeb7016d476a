from extractor.core.grounding import cited_sentences, locate, mentions
from extractor.core.sentences import split_sentences

ARTICLE = (
    "Shafaq News/ The commander of Iran’s Quds Force, Esmail Qaani, held private meetings.\n\n"
    "Mr. Al Araji said: “We emphasised the importance of the success of negotiations.”\n"
    "Qaani arrived in Baghdad on Wednesday."
)


def test_sentence_offsets_are_exact_and_abbreviations_do_not_split() -> None:
    sentences = split_sentences(ARTICLE)
    assert [s.number for s in sentences] == [1, 2, 3]
    assert sentences[1].text.startswith("Mr. Al Araji")
    for s in sentences:
        assert ARTICLE[s.start : s.end] == s.text


def test_repeated_captions_are_shown_once() -> None:
    text = "Caption line. AFP\nCaption line. AFP\nBody sentence here."
    texts = [s.text for s in split_sentences(text)]
    assert texts.count("Caption line.") == 1


def test_locate_exact_normalized_and_fuzzy() -> None:
    exact = locate(ARTICLE, "Qaani arrived in Baghdad")
    assert exact is not None and ARTICLE[exact.start : exact.end] == exact.text
    # Straight quotes and different spacing still map back onto the article's own characters.
    normalized = locate(ARTICLE, '"We emphasised  the importance of the success of negotiations."')
    assert normalized is not None
    assert ARTICLE[normalized.start : normalized.end] == normalized.text
    assert normalized.text.startswith("We emphasised")
    # A paraphrase with a typo aligns fuzzily; the evidence is still the article's verbatim text.
    fuzzy = locate(ARTICLE, "We emphasized the importance of the success of negotiations")
    assert fuzzy is not None and ARTICLE[fuzzy.start : fuzzy.end] == fuzzy.text
    assert locate(ARTICLE, "Completely unrelated sentence about football scores") is None


def test_cited_sentences_must_exist_and_mention_the_item() -> None:
    sentences = split_sentences(ARTICLE)
    kept, rejected = cited_sentences([3, 2, 99], sentences, must_mention=["Esmail Qaani"])
    assert [s.number for s in kept] == [3]
    assert rejected == [2, 99]
    assert mentions("Mr Qaani met him", ["Ismail Qaani"])
    assert not mentions("Ismail Haniyeh spoke", ["Ismail Qaani"])


def test_run_together_and_hard_wrapped_sentences() -> None:
    # A stored copy that lost its spaces, and an outlet that hard-wrapped one sentence over two lines.
    text = (
        "Talks dealt with Syria, the agency reported.President al-Assad affirmed the track.\n"
        "The Kremlin said that Trump\nand Putin chatted over dinner.\nPeskov spoke later."
    )
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Talks dealt with Syria, the agency reported.",
        "President al-Assad affirmed the track.",
        "The Kremlin said that Trump\nand Putin chatted over dinner.",
        "Peskov spoke later.",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)
