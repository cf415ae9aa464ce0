"""The state machine as a Mermaid diagram, generated from the transitions on the model."""

from projects.states import ACTIVE_STATES, DwellingState

HEADER = """# The connection state machine

Generated from `projects/models/dwellings.py` by `python manage.py state_diagram`; a test fails
when this file no longer matches the code. GitHub and most Markdown viewers draw the diagram.
Every move goes through `projects.services.dwelling_transition`: checked, permitted and logged.

"""


def mermaid() -> str:
    from projects.models import Dwelling
    from projects.services.dwellings import TRANSITIONS

    edges = set()
    for transition in Dwelling._meta.get_field("state").get_all_transitions(Dwelling):
        name = transition.name
        targets = [transition.target]
        if name == "resume":  # returns to the state it was held in
            targets = list(ACTIVE_STATES)
        if name == "hold":  # from every active state; drawn once to keep the picture readable
            edges.add(("active", DwellingState.ON_HOLD.value, name))
            continue
        if name == "withdraw":
            edges.add(("any", DwellingState.WITHDRAWN.value, name))
            continue
        for target in targets:
            if name == "resume":
                edges.add((DwellingState.ON_HOLD.value, "held", name))
                break
            edges.add((str(transition.source), str(target), name))
    lines = ["```mermaid", "stateDiagram-v2", "    direction LR"]
    for state in DwellingState:
        lines.append(f"    {state.value}: {state.label}")
    lines.append("    active: any active state")
    lines.append("    held: the state it was held in")
    lines.append("    any: any state but connected")
    lines.append("    [*] --> registered")
    for source, target, name in sorted(edges):
        lines.append(f"    {source} --> {target}: {name}")
    lines.append("    connected --> [*]")
    lines.append("```")
    table = ["", "| transition | label | reason required |", "|---|---|---|"]
    for spec in TRANSITIONS.values():
        table.append(f"| `{spec.name}` | {spec.label} | {'yes' if spec.reason_required else ''} |")
    return HEADER + "\n".join(lines) + "\n" + "\n".join(table) + "\n"
