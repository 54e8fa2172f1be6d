"""Formatting rules of official documents (GB/T 9704-2012)."""


def chinese_date(day):
    """成文日期: Arabic numerals with 年月日, no leading zeros (2026年11月2日)."""
    return f"{day.year}年{day.month}月{day.day}日"
