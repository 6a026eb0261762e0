"""Mirror the check's item bank, interest types and answer scale from knowledge/check into the
database, the same way (and in the same transaction) as `load-knowledge` mirrors the profiles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from api.check.models import CheckAnswerOption, CheckItem, CheckItemOccupation, CheckText, CheckType
from api.knowledge_sync.service import TableChanges, mirror_rows
from knowledge.check import bank

REASON_ONE = "reason_one"
REASON_TWO = "reason_two"
REASON_ITEM = "reason_item"
REASON_ITEM_RELATED = "reason_item_related"
REASON_WITH_TASK = "reason_with_task"
REASON_ITEM_AGAIN = "reason_item_again"


@dataclass(frozen=True)
class CheckBankSnapshot:
    """Everything the API keeps from knowledge/check, as returned by `knowledge.check.bank`."""

    items: bank.ItemBank
    types: bank.InterestTypes
    scale: bank.AnswerScale


def read_check_bank() -> CheckBankSnapshot:
    """The check from knowledge/check; raises `bank.CheckBankError` listing every problem."""
    return CheckBankSnapshot(items=bank.load_items(), types=bank.load_types(), scale=bank.load_answer_scale())


def item_columns(items: bank.ItemBank) -> list[dict[str, Any]]:
    quick = {item_id: position for position, item_id in enumerate(items.quick_order, start=1)}
    full = {item_id: position for position, item_id in enumerate(items.full_order, start=1)}
    return [
        {
            "id": item.id,
            "type": item.type,
            "quick_position": quick.get(item.id),
            "full_position": full[item.id],
            "text_de": item.text.de,
            "text_en": item.text.en,
            "example_occupation": item.example_occupation,
        }
        for item in items.items
    ]


def item_occupation_columns(items: bank.ItemBank) -> list[dict[str, Any]]:
    return [
        {"item_id": item.id, "profession_slug": slug, "position": position}
        for item in items.items
        for position, slug in enumerate(item.occupations, start=1)
    ]


def type_columns(types: bank.InterestTypes) -> list[dict[str, Any]]:
    return [
        {
            "code": interest_type.code,
            "position": position,
            "emoji": interest_type.emoji,
            "name_de": interest_type.name.de,
            "name_en": interest_type.name.en,
            "short_de": interest_type.short.de,
            "short_en": interest_type.short.en,
            "explanation_de": interest_type.explanation.de,
            "explanation_en": interest_type.explanation.en,
            "reason_de": interest_type.reason.de,
            "reason_en": interest_type.reason.en,
        }
        for position, interest_type in enumerate(types.types)
    ]


def answer_option_columns(scale: bank.AnswerScale) -> list[dict[str, Any]]:
    return [
        {
            "value": option.value,
            "meaning_de": option.meaning.de,
            "meaning_en": option.meaning.en,
            "button_de": option.button.de,
            "button_en": option.button.en,
        }
        for option in scale.options
    ]


def text_columns(types: bank.InterestTypes) -> list[dict[str, Any]]:
    return [
        {"key": REASON_ONE, "de": types.reason_one.de, "en": types.reason_one.en},
        {"key": REASON_TWO, "de": types.reason_two.de, "en": types.reason_two.en},
        {"key": REASON_ITEM, "de": types.reason_item.de, "en": types.reason_item.en},
        {"key": REASON_ITEM_RELATED, "de": types.reason_item_related.de, "en": types.reason_item_related.en},
        {"key": REASON_WITH_TASK, "de": types.reason_with_task.de, "en": types.reason_with_task.en},
        {"key": REASON_ITEM_AGAIN, "de": types.reason_item_again.de, "en": types.reason_item_again.en},
    ]


def sync_check_bank(session: Session, snapshot: CheckBankSnapshot) -> dict[str, TableChanges]:
    """Mirror the snapshot into the check tables (the caller commits); changes per table."""
    return {
        "check_items": mirror_rows(
            session,
            CheckItem,
            item_columns(snapshot.items),
            key=lambda values: values["id"],
            row_key=lambda row: row.id,
        ),
        "check_item_occupations": mirror_rows(
            session,
            CheckItemOccupation,
            item_occupation_columns(snapshot.items),
            key=lambda values: (values["item_id"], values["profession_slug"]),
            row_key=lambda row: (row.item_id, row.profession_slug),
        ),
        "check_types": mirror_rows(
            session,
            CheckType,
            type_columns(snapshot.types),
            key=lambda values: values["code"],
            row_key=lambda row: row.code,
        ),
        "check_answer_options": mirror_rows(
            session,
            CheckAnswerOption,
            answer_option_columns(snapshot.scale),
            key=lambda values: values["value"],
            row_key=lambda row: row.value,
        ),
        "check_texts": mirror_rows(
            session,
            CheckText,
            text_columns(snapshot.types),
            key=lambda values: values["key"],
            row_key=lambda row: row.key,
        ),
    }
