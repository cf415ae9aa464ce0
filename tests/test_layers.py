"""The base knows no other app, in its templates too (its Python imports are checked by import-linter in
make lint: see [tool.importlinter] in pyproject.toml)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OTHER_APPS = ("surveys", "procurement", "communication", "demo")
# Tag libraries and URL namespaces of the other apps.
OTHER_TAGS = ("survey_tags", "plan_tags")
OTHER_NAMESPACES = ("surveys", "planning", "plans", "sampling", "survey_api", "plans_api", "planning_api")


def test_the_base_templates_load_no_other_apps_tags_and_name_none_of_their_pages():
    found = []
    for template in (ROOT / "projects" / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for load in re.findall(r"{%\s*load\s+([^%]+)%}", text):
            found += [f"{template}: loads {name}" for name in load.split() if name in OTHER_TAGS]
        for namespace in re.findall(r"{%\s*url\s+['\"](\w+):", text):
            if namespace in OTHER_NAMESPACES:
                found.append(f"{template}: names a page of {namespace}")
        found += [f"{template}: includes {app}/" for app in OTHER_APPS if f'include "{app}/' in text]
    assert found == []


def test_the_layers_contract_names_every_app():
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    # config wires the apps together (settings, urls, the admin site): it is no layer of its own.
    apps = [path.parent.name for path in ROOT.glob("*/apps.py") if path.parent.name != "config"]
    for app in apps:
        assert f'"{app}"' in config.split("[tool.importlinter]", 1)[1], f"{app} is missing from the layers"
