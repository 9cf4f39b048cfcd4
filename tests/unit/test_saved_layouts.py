"""The layout key a mapping is saved under: the same ledger written again has the same key,
another set or order of columns has another."""

from __future__ import annotations

from neutrality.inventory.importing import ColumnMapping, layout_key

LEDGER = ["厂区", "用电量（千瓦时）", "计量起始", "计量截止"]


def test_the_same_header_written_otherwise_has_the_same_key() -> None:
    key = layout_key(LEDGER)
    # half-width brackets, a blank inside a header, blanks around one, an empty trailing cell
    assert layout_key(["厂区 ", "用电量(千瓦时)", "计量 起始", "计量截止", ""]) == key
    # full-width letters and case
    assert layout_key(["Site", "KWH"]) == layout_key(["ｓｉｔｅ", "kwh"])


def test_another_set_or_order_of_columns_or_a_named_sheet_has_another_key() -> None:
    key = layout_key(LEDGER)
    assert layout_key([*LEDGER, "功率因数"]) != key
    assert layout_key(LEDGER[:-1]) != key
    assert layout_key([LEDGER[1], LEDGER[0], *LEDGER[2:]]) != key
    assert layout_key(LEDGER, "用电") != key
    assert layout_key(LEDGER, "用电") != layout_key(LEDGER, "用水")


def test_a_saved_mapping_is_named_as_the_new_file_writes_its_headers() -> None:
    saved = ColumnMapping(columns={"用电量（千瓦时）": "quantity", "计量起始": "start_date", "备注": None},
                          fixed={"unit": "kWh"})
    matched = saved.matched_to(["厂区", "用电量(千瓦时)", "计量 起始"])
    # 备注 is not in this file: left out; the others under this file's spelling
    assert dict(matched.columns) == {"用电量(千瓦时)": "quantity", "计量 起始": "start_date"}
    assert matched.target("计量 起始") == (True, "start_date")
    assert saved.target("计量 起始") == (False, None)  # the mapping as saved would not know it
    assert dict(matched.fixed) == {"unit": "kWh"}
