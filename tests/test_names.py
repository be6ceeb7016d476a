import pytest

from extractor.core.names import normalize_name, same_person


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Esmail Qaani", "Ismael Qaani"),
        ("Esmail Qaani", "Ismail Qaani"),
        ("Qaani", "General Ismail Qaani"),
        ("Mr Qaani", "Esmail Qaani"),
        ("Mohammed Shia al-Sudani", "Al-Sudani"),
        ("Mohammed Shia’ Al-Sudani", "Mohamed Shia al-Sudani"),
        ("Qasim Al Araji", "Qassem al-Araji"),
        ("Ahmad al-Shara", "Ahmed Al-Sharaa"),
    ],
)
def test_same_person(a: str, b: str) -> None:
    assert same_person(a, b)
    assert same_person(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ali Khamenei", "Mojtaba Khamenei"),
        ("Ali Khamenei", "Ali al-Sistani"),
        ("Nouri al-Maliki", "Hadi al-Amiri"),
        ("Ismail Qaani", "Ismail Haniyeh"),
    ],
)
def test_different_people(a: str, b: str) -> None:
    assert not same_person(a, b)


def test_normalize_drops_titles_and_particles() -> None:
    assert normalize_name("General Ismael al-Qaani") == "ismail qaani"
