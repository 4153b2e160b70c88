"""Search form of text: each normalisation rule on its own, Arabic and Latin."""
import pytest

from webmap.core.searchtext import normalize, normalize_words, searchable, whole_word, word_end


@pytest.mark.parametrize("written, searched", [
    ("أحمد", "احمد"),  # alef with hamza above
    ("إزرع", "ازرع"),  # alef with hamza below
    ("آمنة", "امنه"),  # alef with madda (and taa marbuta)
    ("ٱلله", "الله"),  # alef wasla
])
def test_hamza_forms_of_alef_become_bare_alef(written, searched):
    assert normalize(written) == searched


def test_taa_marbuta_becomes_haa():
    assert normalize("القنيطرة") == normalize("القنيطره") == "القنيطره"


def test_alef_maqsura_becomes_yaa():
    assert normalize("بصرى") == normalize("بصري") == "بصري"


def test_persian_yeh_and_keh_become_arabic_letters():
    assert normalize("سویدا") == "سويدا"
    assert normalize("کفر") == "كفر"


def test_harakat_shadda_sukun_and_superscript_alef_are_removed():
    assert normalize("السُّوَيْدَاء") == "السويداء"
    assert normalize("دَرْعَا") == "درعا"
    assert normalize("هٰذا") == "هذا"


def test_tatweel_is_removed():
    assert normalize("السـويـداء") == "السويداء"


def test_arabic_indic_digits_become_western():
    assert normalize("٢٠٢٥") == "2025"  # Arabic-Indic
    assert normalize("۲۰۲۵") == "2025"  # Eastern Arabic-Indic (Persian)


def test_latin_is_case_folded_and_accents_removed():
    assert normalize("SWEIDA") == "sweida"
    assert normalize("Buşrá ash Shām") == normalize("Busra Sham") == "busra sham"
    assert normalize("Aḑ Ḑumayr") == "dumayr"
    assert normalize("Straße") == "strasse"


@pytest.mark.parametrize("written", ["Dar'a", "Dar‘ā", "Dar’a", "Dar`a", "Darʿa", "Darʾa", "Dara"])
def test_apostrophes_and_ayn_hamza_letters_are_dropped(written):
    assert normalize(written) == "dara"


def test_hyphens_and_punctuation_separate_words():
    assert normalize("Jubata al-Khashab (north)") == "jubata khashab north"
    assert normalize_words("a,b;c—d") == ["a", "b", "c", "d"]


@pytest.mark.parametrize("written", ["As-Suwayda", "as Suwayda", "Al-Suwayda", "Es Suwayda", "AL SUWAYDA",
                                     "Suwayda"])
def test_leading_article_variants_are_dropped(written):
    assert normalize(written) == "suwayda"


@pytest.mark.parametrize("article", ["al", "el", "as", "es", "ad", "ash", "esh", "at", "az", "an", "ar"])
def test_every_transliterated_article_is_dropped_before_a_word(article):
    assert normalize(f"{article}-Qarya") == "qarya"


def test_an_article_alone_stays_a_word():
    assert normalize("as") == "as"
    assert normalize("Tall as") == "tall as"


def test_english_possessive_is_dropped():
    assert normalize("Quneitra's outskirts") == "quneitra outskirts"


def test_searchable_text_has_a_space_around_every_word():
    text = searchable("Tanks in As-Suwayda", None, "بالسويداء")
    assert text == " tanks in suwayda بالسويداء "
    assert whole_word("suwayda") in text and whole_word("in suwayda") in text
    assert whole_word("suway") not in text
    assert word_end("السويداء") in text  # with the prefix ب
