"""The state machine as a Mermaid diagram, generated from the transitions on the model."""

from projects.states import ACTIVE_STATES, DwellingState

HEADER = """# The connection state machine

Generated from `projects/models/dwellings.py` and `projects/workflow/moves.py` by
`python manage.py state_diagram`; a test fails
when this file no longer matches the code. GitHub and most Markdown viewers draw the diagram.
Every move goes through `projects.services.dwelling_transition`: checked, permitted and logged.

"""


def mermaid() -> str:
    from projects.models import Dwelling
    from projects.workflow import MOVES

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
    table = [
        "",
        "Every move, as `projects/workflow/moves.py` declares it:",
        "",
        "| move | as an action | in the timeline | who | parameters | reason | residents read it |",
        "|---|---|---|---|---|---|---|",
    ]
    for move in MOVES.values():
        params = ", ".join(f"`{param.name}`" for param in move.params)
        table.append(
            f"| `{move.name}` | {move.label} | {move.done} | {move.made_by} | {params} | "
            f"{'required' if move.reason_required else ''} | {'yes' if move.public else 'no'} |"
        )
    return HEADER + "\n".join(lines) + "\n" + "\n".join(table) + "\n"
