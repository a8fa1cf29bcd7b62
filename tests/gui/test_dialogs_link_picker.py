"""The link picker and the drag menu on the sample project, driven by keys and read back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu

from annotator.domain.model import Span
from annotator.gui.dialogs.link_picker import LinkPicker, choose_link_type, link_type_menu
from annotator.gui.dialogs.link_rows import distance
from annotator.gui.session import ProjectSession
from annotator.services.project import Project
from annotator.services.schema_commands import EditLinkType

PREPARED = "these forces were well-prepared"


@pytest.fixture
def session(sample_session: ProjectSession) -> ProjectSession:
    with sample_session.read() as read:
        sample_session.open_document(read.documents()[0].uuid)
    return sample_session


def spans(session: ProjectSession) -> list[Span]:
    with session.read() as read:
        return read.spans(session.current_document)


def span_with(session: ProjectSession, quote_start: str, tag: str) -> Span:
    return next(s for s in spans(session) if s.quote.startswith(quote_start) and s.tag == tag)


@pytest.fixture
def author(session) -> Span:
    return span_with(session, "Dmitry Bokarev", "actor")


def open_picker(qtbot, session: ProjectSession, source: Span) -> LinkPicker:
    picker = LinkPicker(session, source.uuid)
    qtbot.addWidget(picker)
    picker.show()
    qtbot.waitExposed(picker)
    with qtbot.waitActive(picker):  # as exec() does; Tab moves focus only in the active window
        picker.activateWindow()
    return picker


def stored_links(session: ProjectSession) -> list:
    with session.read() as read:
        return read.links(session.current_document)


def links_after_reopen(session: ProjectSession) -> list:
    """Close the project (as quitting does) and read the links back from the file."""
    document, path = session.current_document, session.project.path
    session.close()
    reopened = Project.open(path, annotator_name="reader")
    try:
        with reopened.store.read() as read:
            return read.links(document)
    finally:
        reopened.close()


def test_targets_are_listed_nearest_first(qtbot, session) -> None:
    source = span_with(session, "Vostok-2018", "event")
    picker = open_picker(qtbot, session, source)
    listed = picker.visible_targets()
    others = [s for s in spans(session) if s.uuid != source.uuid]
    assert [t.uuid for t in listed] == [
        s.uuid for s in sorted(others, key=lambda s: (distance(source, s), s.start, s.end))
    ]
    distances = [t.distance for t in listed]
    assert distances == sorted(distances) and len(listed) == len(others) == 11
    assert picker.current_target() == listed[0]


def test_typing_filters_by_quote_tag_and_attribute(qtbot, session, author) -> None:
    picker = open_picker(qtbot, session, author)
    qtbot.keyClicks(picker.filter, "well-prep")
    assert [t.span.quote[:31] for t in picker.visible_targets()] == [PREPARED]
    assert picker.current_target().span.quote.startswith(PREPARED)
    picker.filter.clear()
    qtbot.keyClicks(picker.filter, "event meeting")  # tag label and an attribute value
    assert [t.span.quote for t in picker.visible_targets()] == ["hold negotiations"]
    picker.filter.clear()
    qtbot.keyClicks(picker.filter, "no such thing")
    assert picker.visible_targets() == [] and picker.empty.isVisible()
    assert not picker.link_button.isEnabled()


def test_only_allowed_types_are_offered(qtbot, session, author) -> None:
    picker = open_picker(qtbot, session, author)
    qtbot.keyClicks(picker.filter, "well-prep")  # actor → claim; "about" goes claim → actor
    assert picker.offered_types() == ["asserts", "same_as", "←about"]
    assert "participates_in" not in picker.offered_types()
    picker.filter.clear()
    qtbot.keyClicks(picker.filter, "Vostok")  # actor → event
    assert picker.offered_types() == ["participates_in", "same_as"]
    assert picker.current_type() == "participates_in"


def test_arrows_in_the_filter_box_move_through_targets(qtbot, session, author) -> None:
    picker = open_picker(qtbot, session, author)
    listed = picker.visible_targets()
    qtbot.keyClick(picker.filter, Qt.Key.Key_Down)
    qtbot.keyClick(picker.filter, Qt.Key.Key_Down)
    assert picker.current_target() == listed[2]
    qtbot.keyClick(picker.filter, Qt.Key.Key_Up)
    assert picker.current_target() == listed[1]


def test_enter_creates_the_link_and_closes(qtbot, session, author) -> None:
    before = len(stored_links(session))
    picker = open_picker(qtbot, session, author)
    qtbot.keyClicks(picker.filter, "well-prep")
    with qtbot.waitSignal(picker.accepted):
        qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
    assert not picker.isVisible()
    target = span_with(session, PREPARED, "claim")
    saved = links_after_reopen(session)
    assert len(saved) == before + 1
    link = next(link for link in saved if link.uuid == picker.link_uuid)
    assert (link.source, link.target, link.type) == (author.uuid, target.uuid, "asserts")


def test_a_link_made_in_the_picker_is_undoable(qtbot, session, author) -> None:
    before = len(stored_links(session))
    picker = open_picker(qtbot, session, author)
    qtbot.keyClicks(picker.filter, "well-prep")
    qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
    assert len(stored_links(session)) == before + 1
    session.undo_stack.undo()
    assert len(links_after_reopen(session)) == before


def test_tab_picks_another_type_and_an_existing_link_is_greyed(qtbot, session, author) -> None:
    picker = open_picker(qtbot, session, author)
    qtbot.keyClicks(picker.filter, "well-prep")
    qtbot.keyClick(picker.filter, Qt.Key.Key_Tab)
    assert picker.types.hasFocus()
    qtbot.keyClick(picker.types, Qt.Key.Key_Down)
    assert picker.current_type() == "same_as"
    with qtbot.waitSignal(picker.accepted):
        qtbot.keyClick(picker.types, Qt.Key.Key_Return)
    again = open_picker(qtbot, session, author)
    qtbot.keyClicks(again.filter, "well-prep")
    assert again.offered_types() == ["asserts", "same_as", "←about"]
    assert again.current_type() == "asserts"  # same_as exists: greyed, not chosen
    assert "already linked" in again.types.item(1).text()


def test_a_type_allowed_the_other_way_links_target_to_source(qtbot, session, author) -> None:
    """Starting on the actor, the user may still pick "about" (claim → actor): the link is made
    the way the schema allows, from the claim to the actor."""
    picker = open_picker(qtbot, session, author)
    qtbot.keyClicks(picker.filter, "well-prep")
    qtbot.keyClick(picker.filter, Qt.Key.Key_Tab)
    qtbot.keyClick(picker.types, Qt.Key.Key_End)
    assert picker.current_type() == "about" and picker.current_reversed()
    assert picker.types.currentItem().text().startswith("←")
    with qtbot.waitSignal(picker.accepted):
        qtbot.keyClick(picker.types, Qt.Key.Key_Return)
    claim = span_with(session, PREPARED, "claim")
    link = next(link for link in links_after_reopen(session) if link.uuid == picker.link_uuid)
    assert (link.source, link.target, link.type) == (claim.uuid, author.uuid, "about")
    again = open_picker(qtbot, session, author)
    qtbot.keyClicks(again.filter, "well-prep")
    assert "already linked" in again.types.item(2).text()


def test_no_allowed_type_is_said_plainly(qtbot, session, author) -> None:
    assert session.run(EditLinkType("same_as", sources=["event"], targets=["event"]))
    picker = open_picker(qtbot, session, author)
    qtbot.keyClicks(picker.filter, "Far East region")  # actor → place: nothing fits
    assert picker.offered_types() == []
    assert picker.none_allowed.text() == "No link type goes from Actor to Place."
    assert not picker.link_button.isEnabled()
    qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
    assert picker.isVisible()


def test_escape_cancels(qtbot, session, author) -> None:
    before = len(stored_links(session))
    picker = open_picker(qtbot, session, author)
    with qtbot.waitSignal(picker.rejected):
        qtbot.keyClick(picker.filter, Qt.Key.Key_Escape)
    assert len(stored_links(session)) == before and picker.link_uuid == ""


def test_drag_menu_offers_allowed_types_only(qtbot, session, author) -> None:
    claim = span_with(session, PREPARED, "claim")
    menu = link_type_menu(session, author.uuid, claim.uuid)
    assert isinstance(menu, QMenu)
    keys = [a.data() for a in menu.actions() if a.isEnabled() and a.data()]
    assert keys == ["asserts", "same_as", "←about"]
    assert menu.actions()[0].text() == "Link Actor → Claim"
    menu.deleteLater()


def test_choose_link_type_asks_even_for_one_choice(qtbot, session, author) -> None:
    assert session.run(EditLinkType("same_as", sources=["event"], targets=["event"]))
    claim = span_with(session, PREPARED, "claim")

    def pick_first() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        enabled = [a.data() for a in menu.actions() if a.isEnabled() and a.data()]
        assert enabled == ["asserts", "←about"]
        qtbot.keyClick(menu, Qt.Key.Key_Down)
        qtbot.keyClick(menu, Qt.Key.Key_Return)

    QTimer.singleShot(0, pick_first)
    assert choose_link_type(session, author.uuid, claim.uuid) == "asserts"
    QTimer.singleShot(
        0, lambda: qtbot.keyClick(QApplication.activePopupWidget(), Qt.Key.Key_Escape)
    )
    assert choose_link_type(session, author.uuid, claim.uuid) is None


def test_choose_link_type_without_allowed_type_says_why(qtbot, session, author) -> None:
    assert session.run(EditLinkType("same_as", sources=["event"], targets=["event"]))
    place = span_with(session, "Far East region", "place")
    with qtbot.waitSignal(session.message) as blocker:
        assert choose_link_type(session, author.uuid, place.uuid) is None
    assert blocker.args == ["No link type goes from Actor to Place."]
