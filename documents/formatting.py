"""Formatting rules of official documents (GB/T 9704-2012)."""


def chinese_date(day):
    """成文日期: Arabic numerals with 年月日, no leading zeros (2026年11月2日)."""
    return f"{day.year}年{day.month}月{day.day}日"


def person_name(user):
    """How a person is named in an official document: the name alone (李明), never the
    login e-mail or a role; the post, where one is printed, comes separately."""
    return (getattr(user, "full_name", "") or "").strip() if user is not None else ""


def name_with_post(name, post):
    """A signer as a reader expects: 孙红（副主任）."""
    return f"{name}（{post}）" if name and post else (name or post or "")
