"""Cities, for travel: a person travels when their home city is not the audit's (or the site's) city.

Registers write a city with or without its 市 ("上海" / "上海市"), so comparisons drop it; an empty city
is unknown and never counts as travel.
"""

from __future__ import annotations

import re

# The four municipalities are written "上海市浦东新区…", without a province before them.
_MUNICIPALITIES = ("北京", "上海", "天津", "重庆")
# "广东省深圳市…", "广西壮族自治区南宁市…": a province or region, then the city up to its 市.
_PROVINCE_CITY = re.compile(r"^(?:.{1,8}?(?:省|自治区|特别行政区))(?P<city>[^省市区县]{1,8}?)市")
_CITY_FIRST = re.compile(r"^(?P<city>[^省市区县]{1,8}?)市")


def normalize_city(city: str) -> str:
    """"上海市 " → "上海": blanks around it and a trailing 市 do not make another city."""
    name = city.strip()
    return name[:-1].strip() if name.endswith("市") and len(name) > 1 else name


def same_city(a: str, b: str) -> bool:
    """Whether two cities are the same, ignoring a trailing 市 and blanks ("上海市 " is "上海")."""
    return normalize_city(a) == normalize_city(b)


def travels(home_city: str, city: str) -> bool:
    """Whether a person living in ``home_city`` travels to work in ``city`` (R-9.1.3 transport); an empty
    city is unknown, no evidence of travel."""
    return bool(normalize_city(home_city)) and bool(normalize_city(city)) and not same_city(home_city, city)


def city_of_address(address: str) -> str:
    """The city of a Chinese address: "广东省深圳市南山区…" → "深圳", "上海市浦东新区…" → "上海"; "" when the
    address does not start with a province and city or a municipality."""
    text = address.strip()
    for municipality in _MUNICIPALITIES:
        if text.startswith(municipality):
            return municipality
    for pattern in (_PROVINCE_CITY, _CITY_FIRST):
        found = pattern.match(text)
        if found:
            return found.group("city")
    return ""
