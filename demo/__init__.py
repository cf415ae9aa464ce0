"""Realistic demo data: two projects that differ, a login per kind of work, their homes with a history,
and the connection plans of those homes.

Idempotent: organisations and users are found by slug and e-mail, projects by slug; a project that
exists already keeps its register, plans that exist are not made again, so a second run adds nothing.

- ``parties``: organisations, people with their work roles, and the two projects with their governance;
- ``neighbourhoods``, ``layout``, ``residents``: the streets, homes and people the demo fills them with;
- ``history``: each home's way so far, played on the unsaved model by the people whose work each move is;
- ``surveys``: what the surveyor recorded in the homes that got that far (visits, answers, a photo);
- ``dwellings``: writing the homes and their histories in batches (``demo --dwellings N``);
- ``today``: what the planner does through the services today (the surveyor's visits and slots);
- ``plans``: the connection plans (PDF) of the homes whose plan was approved;
- ``loading``: all of it in turn (``manage.py demo``).

Import names from the module that defines them: Django imports this package while it loads the apps,
before the models can be imported.
"""
