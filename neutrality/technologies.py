"""Generation technologies: one code per technology, its name in English, 简体 and 繁體, and the
ways registries and people write it.

Pure: no database, no Flask.

A GEC list says 光伏 or 风电, an I-REC device "Solar PV", a user "offshore wind" or 海上風電;
the rules compare codes (the GEC–CCER linkage admits deep-sea offshore wind and solar thermal
CCERs, and asks a wind or solar CCER for its GEC filing code). Every project's technology is
stored as its code when it is one of these (:func:`technology_code`), and shown by its name
(:func:`technology_name`); a technology none of these names is kept as written, and no rule that
asks for one of the codes mistakes it for one.
"""

from __future__ import annotations

from dataclasses import dataclass

from neutrality.names import name_key


@dataclass(frozen=True)
class Technology:
    code: str
    en: str
    zh_Hans: str
    zh_Hant: str
    #: other ways of writing it, in any script or case (compared folded: :func:`name_key`)
    aliases: tuple[str, ...] = ()

    def in_locale(self, locale: str) -> str:
        return {"zh_Hans": self.zh_Hans, "zh_Hant": self.zh_Hant}.get(locale, self.en)


TECHNOLOGIES = (
    Technology("wind", "wind", "风电", "風電", ("wind power", "风力发电")),
    Technology("wind_onshore", "onshore wind", "陆上风电", "陸上風電",
               ("wind onshore", "onshore wind power", "陆上风力发电", "陆地风电")),
    Technology("wind_offshore", "offshore wind", "海上风电", "離岸風電",
               ("wind offshore", "offshore wind power", "海上风力发电", "离岸风电", "近海风电")),
    Technology("wind_offshore_deep_sea", "deep-sea offshore wind", "深远海海上风电", "深遠海離岸風電",
               ("deep sea offshore wind", "far-offshore wind", "深远海风电", "深远海离岸风电")),
    Technology("solar", "solar", "太阳能发电", "太陽能發電", ("solar power", "太阳能")),
    Technology("solar_pv", "solar PV", "光伏", "光電",
               ("pv", "solar pv", "photovoltaic", "solar photovoltaic", "光伏发电", "太阳能光伏",
                "集中式光伏", "分布式光伏", "太阳能光电", "光电")),
    Technology("csp", "solar thermal (CSP)", "光热发电", "光熱發電",
               ("concentrated solar power", "solar thermal", "光热", "太阳能热发电")),
    Technology("hydro", "hydro", "水电", "水力發電",
               ("hydropower", "hydroelectric", "hydro power", "水力发电", "常规水电", "径流式水电")),
    Technology("biomass", "biomass", "生物质发电", "生質能發電",
               ("biomass power", "生物质", "生物质能", "农林生物质发电", "生质能")),
    Technology("biogas", "biogas", "沼气发电", "沼氣發電", ("沼气", "landfill gas", "填埋气发电")),
    Technology("geothermal", "geothermal", "地热发电", "地熱發電", ("geothermal power", "地热", "地热能")),
    Technology("ocean", "ocean (tidal, wave)", "海洋能发电", "海洋能發電",
               ("tidal", "wave", "marine", "潮汐发电", "波浪能", "海洋能")),
    Technology("waste_to_energy", "waste to energy", "垃圾焚烧发电", "垃圾焚化發電",
               ("waste-to-energy", "municipal solid waste", "垃圾发电", "生活垃圾焚烧发电")),
)

_BY_CODE = {t.code: t for t in TECHNOLOGIES}
_BY_NAME = {
    name_key(written): t.code
    for t in TECHNOLOGIES
    for written in (t.code, t.code.replace("_", " "), t.en, t.zh_Hans, t.zh_Hant, *t.aliases)
}


def technology_code(written: str | None) -> str:
    """The code of a technology as written anywhere ("光伏", "Solar PV", "solar_pv" → solar_pv);
    what none of the technologies is called stays as written (trimmed); blank stays blank."""
    text = (written or "").strip()
    return _BY_NAME.get(name_key(text), text) if text else ""


def technology_name(code: str, locale: str = "en") -> str:
    """A technology's name for people in a locale; a technology without a code as written."""
    known = _BY_CODE.get(code)
    return known.in_locale(locale) if known else code


def technology(code: str) -> Technology | None:
    return _BY_CODE.get(code)
