"""Words from pure code stay plain English strings below the web layer and are said again in
the reader's language at the edge."""

from __future__ import annotations

import copy

from neutrality.messages import Msg, Written, joined, say

CATALOGUE = {
    "row {row}: {problem}": "第 {row} 行：{problem}",
    "the date is not a date": "日期无效",
    "broken {nothing}": "坏了 {something}",
}


def translate(msgid: str) -> str:
    return CATALOGUE.get(msgid, msgid)


def test_a_message_is_its_english_sentence() -> None:
    message = Msg("row {row}: {problem}", row=4, problem=Msg("the date is not a date"))
    assert message == "row 4: the date is not a date"
    assert "date is not" in message
    assert message.msgid == "row {row}: {problem}"


def test_said_in_another_language_with_its_values_said_too() -> None:
    message = Msg("row {row}: {problem}", row=4, problem=Msg("the date is not a date"))
    assert say(message, translate) == "第 4 行：日期无效"


def test_details_are_said_item_by_item_and_other_values_kept() -> None:
    details = {"errors": [Msg("the date is not a date"), "plain"], "count": 2}
    assert say(details, translate) == {"errors": ["日期无效", "plain"], "count": 2}


def test_a_translation_naming_an_unknown_value_falls_back_to_the_english() -> None:
    assert say(Msg("broken {nothing}", nothing="x"), translate) == "broken x"


def test_a_message_survives_copying_with_its_template() -> None:
    message = copy.deepcopy(Msg("row {row}: {problem}", row=4, problem="x"))
    assert message == "row 4: x" and message.msgid == "row {row}: {problem}"
    assert message.params == {"row": 4, "problem": "x"}


def test_a_sentence_written_in_each_language_is_said_in_the_readers() -> None:
    reason = Written("ISO-21: retired too late", zh_Hans="ISO-21：注销太晚", zh_Hant="ISO-21：註銷太晚")
    assert reason == "ISO-21: retired too late"
    assert say([reason], translate, "zh_Hant") == ["ISO-21：註銷太晚"]
    assert say(reason, translate, "en") == "ISO-21: retired too late"
    # inside a message's values too
    assert say(Msg("row {row}: {problem}", row=2, problem=reason), translate, "zh_Hans") == "第 2 行：ISO-21：注销太晚"
    assert copy.deepcopy(reason).in_locale("zh_Hans") == "ISO-21：注销太晚"


def test_a_list_joined_keeps_each_message_sayable() -> None:
    listed = joined([Msg("the date is not a date"), "plain {braces}"], "; ")
    assert listed == "the date is not a date; plain {braces}"
    assert say(listed, translate) == "日期无效; plain {braces}"
    assert joined(["a", "b"]) == "a, b" and not isinstance(joined(["a", "b"]), Msg)
    written = Written("late", zh_Hans="太晚")
    assert say(joined([written, Msg("the date is not a date")], "; "), translate, "zh_Hans") == "太晚; 日期无效"


def test_a_sentence_kept_in_a_document_is_said_again_in_any_language() -> None:
    import json
    from decimal import Decimal

    from neutrality.messages import from_data, to_data

    reason = Written("late", zh_Hans="太晚", zh_Hant="太晚")
    message = Msg("row {row}: {problem} ({amount:,} t)", row=2, problem=reason, amount=Decimal("1234.5"))
    kept = from_data(json.loads(json.dumps(to_data(message))))
    assert kept == "row 2: late (1,234.5 t)"
    assert say(kept, translate, "zh_Hans") == say(message, translate, "zh_Hans")
    assert kept.params["amount"] == Decimal("1234.5")
