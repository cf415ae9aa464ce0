from django.core.management.commands import makemessages


class Command(makemessages.Command):
    # A guessed ("fuzzy") translation is worse than none: new strings start empty, and the i18n test
    # fails until someone translates them.
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
