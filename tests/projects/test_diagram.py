from pathlib import Path

from django.utils import translation

from projects.diagram import mermaid
from projects.states import DwellingState

DOC = Path(__file__).resolve().parents[2] / "docs" / "state-machine.md"


def test_the_picture_in_the_docs_matches_the_code():
    with translation.override("en"):
        assert DOC.read_text(encoding="utf-8") == mermaid(), "run `python manage.py state_diagram`"


def test_every_state_and_transition_is_drawn():
    text = DOC.read_text(encoding="utf-8")
    for state in DwellingState:
        assert f"    {state.value}: " in text
    for edge in ("registered --> informed: inform", "installed --> connected: confirm_connection"):
        assert edge in text
