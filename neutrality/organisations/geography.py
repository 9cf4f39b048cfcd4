"""Countries, subdivisions and electricity grid regions that decide factors and EAC markets.

Pure: no Flask, no database.

Grid regions matter twice later: the location-based Scope 2 factor is published per grid region
(MEE/NBS publish seven regional averages for China from the 2022 data year on), and the market
boundary of energy attribute certificates follows the grid.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    code: str
    en: str
    zh_hans: str
    zh_hant: str


# Mainland China's provincial-level divisions (ISO 3166-2:CN, 2017 codes) and the regional grid
# each belongs to. Inner Mongolia is split between the North China (west) and Northeast (east)
# grids; it defaults to North China and a site may choose Northeast.
_CN_PROVINCES: tuple[tuple[str, str, str, str, str], ...] = (
    ("CN-BJ", "Beijing", "北京市", "北京市", "CN-NORTH"),
    ("CN-TJ", "Tianjin", "天津市", "天津市", "CN-NORTH"),
    ("CN-HE", "Hebei", "河北省", "河北省", "CN-NORTH"),
    ("CN-SX", "Shanxi", "山西省", "山西省", "CN-NORTH"),
    ("CN-SD", "Shandong", "山东省", "山東省", "CN-NORTH"),
    ("CN-NM", "Inner Mongolia", "内蒙古自治区", "內蒙古自治區", "CN-NORTH"),
    ("CN-LN", "Liaoning", "辽宁省", "遼寧省", "CN-NORTHEAST"),
    ("CN-JL", "Jilin", "吉林省", "吉林省", "CN-NORTHEAST"),
    ("CN-HL", "Heilongjiang", "黑龙江省", "黑龍江省", "CN-NORTHEAST"),
    ("CN-SH", "Shanghai", "上海市", "上海市", "CN-EAST"),
    ("CN-JS", "Jiangsu", "江苏省", "江蘇省", "CN-EAST"),
    ("CN-ZJ", "Zhejiang", "浙江省", "浙江省", "CN-EAST"),
    ("CN-AH", "Anhui", "安徽省", "安徽省", "CN-EAST"),
    ("CN-FJ", "Fujian", "福建省", "福建省", "CN-EAST"),
    ("CN-HA", "Henan", "河南省", "河南省", "CN-CENTRAL"),
    ("CN-HB", "Hubei", "湖北省", "湖北省", "CN-CENTRAL"),
    ("CN-HN", "Hunan", "湖南省", "湖南省", "CN-CENTRAL"),
    ("CN-JX", "Jiangxi", "江西省", "江西省", "CN-CENTRAL"),
    ("CN-SN", "Shaanxi", "陕西省", "陝西省", "CN-NORTHWEST"),
    ("CN-GS", "Gansu", "甘肃省", "甘肅省", "CN-NORTHWEST"),
    ("CN-QH", "Qinghai", "青海省", "青海省", "CN-NORTHWEST"),
    ("CN-NX", "Ningxia", "宁夏回族自治区", "寧夏回族自治區", "CN-NORTHWEST"),
    ("CN-XJ", "Xinjiang", "新疆维吾尔自治区", "新疆維吾爾自治區", "CN-NORTHWEST"),
    ("CN-GD", "Guangdong", "广东省", "廣東省", "CN-SOUTH"),
    ("CN-GX", "Guangxi", "广西壮族自治区", "廣西壯族自治區", "CN-SOUTH"),
    ("CN-YN", "Yunnan", "云南省", "雲南省", "CN-SOUTH"),
    ("CN-GZ", "Guizhou", "贵州省", "貴州省", "CN-SOUTH"),
    ("CN-HI", "Hainan", "海南省", "海南省", "CN-SOUTH"),
    ("CN-SC", "Sichuan", "四川省", "四川省", "CN-SOUTHWEST"),
    ("CN-CQ", "Chongqing", "重庆市", "重慶市", "CN-SOUTHWEST"),
    ("CN-XZ", "Tibet", "西藏自治区", "西藏自治區", "CN-SOUTHWEST"),
)

GRID_REGIONS: dict[str, dict[str, Place]] = {
    "CN": {
        p.code: p
        for p in (
            Place("CN-NORTH", "North China grid", "华北电网", "華北電網"),
            Place("CN-NORTHEAST", "Northeast China grid", "东北电网", "東北電網"),
            Place("CN-EAST", "East China grid", "华东电网", "華東電網"),
            Place("CN-CENTRAL", "Central China grid", "华中电网", "華中電網"),
            Place("CN-NORTHWEST", "Northwest China grid", "西北电网", "西北電網"),
            Place("CN-SOUTH", "China Southern grid", "南方电网", "南方電網"),
            Place("CN-SOUTHWEST", "Southwest China grid", "西南电网", "西南電網"),
        )
    },
    # Hong Kong has two vertically integrated utilities with their own emission factors.
    "HK": {
        p.code: p
        for p in (
            Place("HK-CLP", "CLP Power Hong Kong", "中华电力", "中華電力"),
            Place("HK-HKE", "The Hongkong Electric Company", "港灯电力", "港燈電力"),
        )
    },
    "TW": {"TW": Place("TW", "Taipower grid", "台湾电力", "台灣電力")},
}

SUBDIVISIONS: dict[str, dict[str, Place]] = {
    "CN": {code: Place(code, en, hans, hant) for code, en, hans, hant, _ in _CN_PROVINCES},
}

DEFAULT_GRID_REGION: dict[str, str] = {code: grid for code, *_, grid in _CN_PROVINCES}
DEFAULT_GRID_REGION.update({"HK": "HK-CLP", "TW": "TW"})

# ISO 3166-1 alpha-2 codes accepted for organisations and sites. The list is deliberately the
# full standard list (not only the seeds' markets): instruments come from projects worldwide.
COUNTRY_CODES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO
    DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
    GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW
    KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU
    MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
    PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA
    ZM ZW""".split()
)


def grid_regions_of(country: str) -> dict[str, Place]:
    return GRID_REGIONS.get(country, {})


def default_grid_region(country: str, region: str | None) -> str | None:
    """The grid a site is on when the user does not say: by province, else by country."""
    if region and region in DEFAULT_GRID_REGION:
        return DEFAULT_GRID_REGION[region]
    return DEFAULT_GRID_REGION.get(country)


# --- subdivisions by name ----------------------------------------------------------------------

#: What a province's name may end with and still be the province: 广东省 = 广东 = Guangdong
#: Province. Longest first, so 广西壮族自治区 loses the whole suffix, not only 自治区.
_NAME_SUFFIXES = re.compile(
    r"(?:壮族自治区|壯族自治區|回族自治区|回族自治區|维吾尔自治区|維吾爾自治區|自治区|自治區|省|市"
    r"|uygurautonomousregion|zhuangautonomousregion|huiautonomousregion|autonomousregion"
    r"|province|municipality|sheng|shi)$"
)


def _name_key(text: str) -> str:
    """Comparison form of a region's name: full-width folded, no case, no blanks or hyphens."""
    return re.sub(r"[\s\-_'.]+", "", unicodedata.normalize("NFKC", text).casefold())


def _short(key: str) -> str:
    return _NAME_SUFFIXES.sub("", key) or key


def _names_of(place: Place) -> set[str]:
    keys = {_name_key(n) for n in (place.code, place.en, place.zh_hans, place.zh_hant)}
    return keys | {_short(k) for k in keys}


_REGION_KEYS: dict[str, dict[str, str]] = {
    country: {key: place.code for place in places.values() for key in _names_of(place)}
    for country, places in SUBDIVISIONS.items()
}


def region_code(country: str, text: str) -> str | None:
    """The ISO 3166-2 code of a subdivision written as its code (CN-GD, cn-gd) or its name in
    English, 简体 or 繁體, with or without 省/市/自治区 (广东, 廣東省, Guangdong → CN-GD); None when
    the country keeps no list or the text names none of its subdivisions."""
    keys = _REGION_KEYS.get(country)
    if keys is None or not text.strip():
        return None
    key = _name_key(text)
    return keys.get(key) or keys.get(_short(key))


def region_example(country: str, text: str) -> Place | None:
    """The subdivision of ``country`` whose code or name is closest to ``text`` (a misspelt
    name, a wrong code), else the country's first: the example an error shows."""
    places = SUBDIVISIONS.get(country)
    if not places:
        return None
    keys = _REGION_KEYS[country]
    close = difflib.get_close_matches(_short(_name_key(text)), list(keys), n=1, cutoff=0.6)
    return places[keys[close[0]]] if close else next(iter(places.values()))
