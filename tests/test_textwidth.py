"""Terminal tables line up when names are Chinese."""

from luckygas.textwidth import display_width, pad


def test_chinese_characters_count_two_columns():
    """貨車1 is five columns wide: two Chinese characters and a digit."""
    assert display_width("貨車1") == 5
    assert display_width("A-瑞光") == 6


def test_pad_aligns_mixed_text():
    """Padded Chinese and Latin labels end in the same terminal column."""
    assert display_width(pad("A-瑞光", 12)) == display_width(pad("K-LINE", 12)) == 12
