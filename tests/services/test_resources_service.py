"""The lookup service on a real database with a fake clock."""

from __future__ import annotations

import pytest

from bot.domain.resources import LOCAL_MAX_PER_SERVER, Topic
from bot.errors import DomainError
from bot.services.resources import LocalEntryNotFound, ResourceService, TooManyLocalEntries, load_directory
from bot.storage.engine import Database
from bot.storage.resources import ResourcesRepository
from tests.conftest import FakeClock

DIRECTORY = load_directory()


@pytest.fixture
def service(database: Database, clock: FakeClock) -> ResourceService:
    return ResourceService(DIRECTORY, ResourcesRepository(database), clock)


async def test_no_country_given_or_saved_means_no_country(service: ResourceService) -> None:
    answer = await service.answer(user_id=1, guild_id=None, country_text=None)

    assert answer.country is None
    assert answer.selection is None


async def test_given_country_wins_over_saved_one(service: ResourceService) -> None:
    await service.remember_country(1, "FR")

    answer = await service.answer(user_id=1, guild_id=None, country_text="Spain")

    assert answer.country is not None and answer.country.code == "ES"
    assert answer.country_source == "given"


async def test_saved_country_is_used_and_can_be_forgotten(service: ResourceService) -> None:
    await service.remember_country(1, "fr")

    saved = await service.answer(user_id=1, guild_id=None, country_text=None)
    assert saved.country is not None and saved.country.code == "FR"
    assert saved.country_source == "saved"

    assert await service.forget_country(1)
    assert not await service.forget_country(1)
    assert (await service.answer(user_id=1, guild_id=None, country_text=None)).country is None


async def test_remembering_an_unknown_code_is_refused(service: ResourceService) -> None:
    with pytest.raises(DomainError):
        await service.remember_country(1, "ZZ")


async def test_open_status_uses_the_clock(service: ResourceService, clock: FakeClock) -> None:
    answer = await service.answer(user_id=1, guild_id=None, country_text="GB")

    assert answer.now == clock.now
    assert all(answer.statuses[line_id].open is not False for line_id in answer.line_ids)


async def test_help_for_serves_the_crisis_reply_without_local_entries(service: ResourceService) -> None:
    await service.add_local(9, 2, name="Clinic", description="", phone="123 456", url=None, topic=None)

    answer = service.help_for("DE")

    assert answer.country is not None and answer.country.code == "DE"
    assert answer.local == ()
    assert service.help_for(None).country is None
    assert service.help_for("??").country is None


async def test_local_entries_are_per_server_and_topic(service: ResourceService) -> None:
    await service.add_local(9, 2, name="Any topic", description="", phone="123 456", url=None, topic=None)
    await service.add_local(
        9, 2, name="Kids", description="", phone="123 457", url=None, topic=Topic.YOUNG_PEOPLE
    )

    crisis = await service.answer(user_id=1, guild_id=9, country_text="GB")
    young = await service.answer(user_id=1, guild_id=9, country_text="GB", topic=Topic.YOUNG_PEOPLE)
    elsewhere = await service.answer(user_id=1, guild_id=10, country_text="GB")

    assert [e.name for e in crisis.local] == ["Any topic"]
    assert [e.name for e in young.local] == ["Any topic", "Kids"]
    assert elsewhere.local == ()


async def test_edit_validates_and_can_clear_fields(service: ResourceService) -> None:
    entry = await service.add_local(
        9, 2, name="Clinic", description="", phone="123 456", url="https://c.org", topic=None
    )

    edited = await service.edit_local(9, entry.id, clear=["phone"])
    assert edited.phone is None and edited.url == "https://c.org"

    with pytest.raises(DomainError) as caught:
        await service.edit_local(9, entry.id, clear=["url"])  # nothing left to reach it by
    assert caught.value.key == "resources.local.error.no_contact"

    with pytest.raises(LocalEntryNotFound):
        await service.edit_local(10, entry.id, name="Not yours")


async def test_a_server_has_a_limit_on_entries(service: ResourceService) -> None:
    for n in range(LOCAL_MAX_PER_SERVER):
        await service.add_local(
            9, 2, name=f"Entry {n}", description="", phone="123 456", url=None, topic=None
        )

    with pytest.raises(TooManyLocalEntries):
        await service.add_local(9, 2, name="One more", description="", phone="123 456", url=None, topic=None)


async def test_reports_are_stored_with_the_lines_shown(service: ResourceService) -> None:
    shown = service.help_for("JP")

    number = await service.report_problem(
        guild_id=9,
        country_code="JP",
        topic=Topic.SUICIDE_CRISIS,
        line_ids=shown.line_ids,
        text="  wrong   hours ",
    )

    [report] = await service.recent_reports()
    assert report["id"] == number
    assert report["text"] == "wrong hours"
    assert str(report["line_ids"]).split(",") == shown.line_ids


def test_country_names_come_from_cldr_and_unknown_ones_fall_back_to_english() -> None:
    from bot.services.resources import catalog_languages, country_names

    names = country_names(["DE", "ES", "XY"], ["es", "de", "zz"])
    directory = load_directory(languages=["es"])

    assert {code: names["es"].get(code) for code in ("DE", "ES", "XY")} == {
        "DE": "Alemania",
        "ES": "España",
        "XY": None,
    }
    assert {code: names["de"].get(code) for code in ("DE", "ES")} == {"DE": "Deutschland", "ES": "Spanien"}
    assert "zz" not in names
    assert names["es"]["region:Europe"] == "Europa" and names["de"]["region:Antarctica"] == "Antarktis"
    assert catalog_languages() == ["de", "es"]
    germany = directory.get("DE")
    assert germany is not None and directory.name_in(germany, "es") == "Alemania"
    assert directory.name_in(germany, "de") == "Germany"  # not loaded: the English name
    assert directory.resolve("alemania") == germany and directory.resolve("Deutschland") == germany
    assert (
        directory.region_in("Oceania", "es") == "Oceanía"
        and directory.region_in("Oceania", "de") == "Oceania"
    )
