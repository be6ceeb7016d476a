"""Article language detection (extractor/core/language.py) on real articles and short strings."""

from pathlib import Path

import pytest

from extractor.core.language import detect_language
from extractor.evaluation.gold import read_article_text

ROOT = Path(__file__).resolve().parents[1]
CORPUS = sorted((ROOT / "evals" / "corpus").glob("*/*.txt"))
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


@pytest.mark.parametrize("path", CORPUS + SEEDS, ids=[p.stem for p in CORPUS + SEEDS])
def test_every_corpus_and_seed_article_is_in_its_language(path: Path) -> None:
    text = read_article_text(path) if "corpus" in path.parts else path.read_text(encoding="utf-8")
    assert detect_language(text) == ("ar" if path.parent.name == "arabic" else "en")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le ministre est arrivé à Bagdad mercredi.", "fr"),
        ("Il a démenti toute rencontre secrète avec le président.", "fr"),
        ("外交部长周三抵达巴格达，与伊拉克总理举行会谈。", "zh"),
        ("他昨天离开了北京。", "zh"),
        ("Министр иностранных дел прибыл в Багдад в среду.", "ru"),
        ("Путин встретился с Эрдоганом.", "ru"),
        ("وصل وزير الخارجية إلى بغداد يوم الأربعاء.", "ar"),
        ("التقى الرئيس بنظيره أمس.", "ar"),
        ("He left at 5 p.m. Friday.", "en"),
        # The headline and first line of an Egyptian outlet's article (Modern Standard Arabic).
        ("وزير الخارجية البحريني يزور بغداد", "ar"),
    ],
)
def test_short_strings(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["", "   ", "OK", "12:30", "Qaani", "Baghdad, Iraq", "北京。", "-- 2024 --"])
def test_too_little_text_is_no_answer(text: str) -> None:
    assert detect_language(text) is None
