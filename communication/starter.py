"""The starter set: a short text in plain language (B1) for every step, in Dutch and English.

One contact point, what happens when, who to call: the research's advice for resident communication
(block 3.3). A project uses these until it saves its own text for a step; they count as approved.
Texts are data, not translations: a project edits each language apart.
"""

from communication.models import TemplateKey

# Appointments must reach the person: under an opt-out of e-mail or SMS they go by letter.
MUST_SEND = frozenset(
    {
        TemplateKey.SURVEY_INVITATION,
        TemplateKey.SURVEY_REMINDER,
        TemplateKey.VISIT_MISSED,
        TemplateKey.INSTALLATION_DATE,
        TemplateKey.INSTALLATION_REMINDER,
        TemplateKey.APPOINTMENT_CONFIRMED,
        TemplateKey.APPOINTMENT_CANCELLED,
    }
)

_NL_END = (
    "Vragen? Bel of mail ((contact_name)): ((contact_phone)), ((contact_email)).\n\n"
    "Met vriendelijke groet,\n((sender))"
)
_EN_END = (
    "Questions? Call or e-mail ((contact_name)): ((contact_phone)), ((contact_email)).\n\n"
    "Kind regards,\n((sender))"
)


def _texts(subject, body, sms, end):
    greeting = "Beste ((name))," if end is _NL_END else "Dear ((name)),"
    full = f"{greeting}\n\n{body}\n\n{end}"
    return {"email_subject": subject, "email_body": full, "sms_body": sms, "letter_body": full}


STARTER = {
    TemplateKey.INFORMATION_LETTER: {
        "nl": _texts(
            "Uw woning krijgt een aansluiting op het warmtenet",
            "Uw straat krijgt een warmtenet (project ((project))). Wij regelen de aansluiting van uw "
            "woning, van het eerste bezoek tot de werkende aansluiting. U hoeft zelf niets te regelen.\n\n"
            "Wat gebeurt er?\n1. We maken een afspraak voor één bezoek aan uw woning.\n"
            "2. U krijgt een plan voor uw woning.\n3. U zegt ja of nee.\n"
            "4. De installateur sluit uw woning aan.\n\n"
            "Op uw eigen pagina ziet u altijd hoe het staat: ((portal_link))",
            "((sender)): uw woning krijgt een aansluiting op het warmtenet. Meer info: ((portal_link))",
            _NL_END,
        ),
        "en": _texts(
            "Your home will be connected to the heat network",
            "Your street is getting a heat network (project ((project))). We arrange the connection of "
            "your home, from the first visit to a working connection. "
            "You do not have to arrange anything.\n\n"
            "What happens?\n1. We make an appointment for one visit to your home.\n"
            "2. You receive a plan for your home.\n3. You say yes or no.\n"
            "4. The installer connects your home.\n\n"
            "Your own page always shows where things stand: ((portal_link))",
            "((sender)): your home will be connected to the heat network. More: ((portal_link))",
            _EN_END,
        ),
    },
    TemplateKey.SURVEY_INVITATION: {
        "nl": _texts(
            "Afspraak voor het bezoek aan uw woning: ((appointment_date))",
            "Wij komen uw woning bekijken op ((appointment_date)) om ((appointment_time)). Dit duurt "
            "ongeveer een uur. We kijken naar de meterkast, de verwarming en de plek voor de afleverset.\n\n"
            "Kunt u dan niet? Kies een ander moment op ((portal_link)) of bel ons.",
            "((sender)): bezoek aan ((address)) op ((appointment_date)) om ((appointment_time)). "
            "Andere tijd? ((portal_link))",
            _NL_END,
        ),
        "en": _texts(
            "Appointment for the visit to your home: ((appointment_date))",
            "We will visit your home on ((appointment_date)) at ((appointment_time)). It takes about an "
            "hour. We look at the meter cupboard, the heating and the place for the delivery set.\n\n"
            "Does that not suit you? Pick another time at ((portal_link)) or call us.",
            "((sender)): visit to ((address)) on ((appointment_date)) at ((appointment_time)). "
            "Other time? ((portal_link))",
            _EN_END,
        ),
    },
    TemplateKey.SURVEY_REMINDER: {
        "nl": _texts(
            "Morgen komen wij bij u langs",
            "Morgen, ((appointment_date)) om ((appointment_time)), komen wij uw woning bekijken. "
            "Zorgt u dat de meterkast en de cv-ketel goed bereikbaar zijn?",
            "((sender)): morgen om ((appointment_time)) komen wij bij ((address)). Tot morgen!",
            _NL_END,
        ),
        "en": _texts(
            "We visit you tomorrow",
            "Tomorrow, ((appointment_date)) at ((appointment_time)), we will visit your home. Please make "
            "sure the meter cupboard and the boiler are easy to reach.",
            "((sender)): tomorrow at ((appointment_time)) we visit ((address)). See you tomorrow!",
            _EN_END,
        ),
    },
    TemplateKey.VISIT_MISSED: {
        "nl": _texts(
            "Wij hebben u gemist",
            "Wij waren vandaag bij uw woning, maar er was niemand thuis. Kies een nieuw moment op "
            "((portal_link)) of bel ons.",
            "((sender)): we hebben u gemist. Kies een nieuw moment: ((portal_link))",
            _NL_END,
        ),
        "en": _texts(
            "We missed you",
            "We came to your home today, but nobody was in. Pick a new time at ((portal_link)) or call us.",
            "((sender)): we missed you. Pick a new time: ((portal_link))",
            _EN_END,
        ),
    },
    TemplateKey.PLAN_READY: {
        "nl": _texts(
            "Het plan voor uw woning is klaar",
            "Het aansluitplan voor uw woning is klaar. U leest daarin wat er in uw woning gebeurt, "
            "wie het doet en wat het kost. Lees het op ((portal_link)).",
            "((sender)): het plan voor uw woning is klaar. Lees het op ((portal_link))",
            _NL_END,
        ),
        "en": _texts(
            "The plan for your home is ready",
            "The connection plan for your home is ready. It says what happens in your home, who does it "
            "and what it costs. Read it at ((portal_link)).",
            "((sender)): the plan for your home is ready. Read it at ((portal_link))",
            _EN_END,
        ),
    },
    TemplateKey.AGREEMENT_REQUEST: {
        "nl": _texts(
            "Wilt u aangesloten worden?",
            "U heeft het plan voor uw woning gekregen. Wilt u aangesloten worden? Geef uw antwoord op "
            "((portal_link)). Twijfelt u? Bel ons, wij leggen het graag uit.",
            "((sender)): wilt u aangesloten worden? Geef uw antwoord op ((portal_link))",
            _NL_END,
        ),
        "en": _texts(
            "Would you like to be connected?",
            "You have received the plan for your home. Would you like to be connected? Give your answer at "
            "((portal_link)). Not sure? Call us, we are glad to explain.",
            "((sender)): would you like to be connected? Answer at ((portal_link))",
            _EN_END,
        ),
    },
    TemplateKey.INSTALLATION_DATE: {
        "nl": _texts(
            "De installateur komt op ((installation_date))",
            "De installateur sluit uw woning aan op ((installation_date)). Dit duurt meestal één dag. "
            "Die dag heeft u een paar uur geen warm water. Zorg dat er iemand thuis is.",
            "((sender)): de installateur komt op ((installation_date)) bij ((address)).",
            _NL_END,
        ),
        "en": _texts(
            "The installer comes on ((installation_date))",
            "The installer connects your home on ((installation_date)). This usually takes one day. That "
            "day you have no hot water for a few hours. Please make sure someone is home.",
            "((sender)): the installer comes to ((address)) on ((installation_date)).",
            _EN_END,
        ),
    },
    TemplateKey.INSTALLATION_REMINDER: {
        "nl": _texts(
            "Morgen komt de installateur",
            "Morgen, ((installation_date)), komt de installateur uw woning aansluiten. Maakt u de "
            "meterkast en de plek van de cv-ketel vrij?",
            "((sender)): morgen komt de installateur bij ((address)).",
            _NL_END,
        ),
        "en": _texts(
            "The installer comes tomorrow",
            "Tomorrow, ((installation_date)), the installer comes to connect your home. Please clear the "
            "meter cupboard and the place of the boiler.",
            "((sender)): the installer comes to ((address)) tomorrow.",
            _EN_END,
        ),
    },
    TemplateKey.WELCOME: {
        "nl": _texts(
            "Welkom op het warmtenet",
            "Uw woning is aangesloten op het warmtenet. Welkom! Werkt er iets niet goed? Meld het op "
            "((portal_link)) of bel ons.",
            "((sender)): uw woning is aangesloten. Welkom op het warmtenet!",
            _NL_END,
        ),
        "en": _texts(
            "Welcome to the heat network",
            "Your home is connected to the heat network. Welcome! Is something not working? Report it at "
            "((portal_link)) or call us.",
            "((sender)): your home is connected. Welcome to the heat network!",
            _EN_END,
        ),
    },
    TemplateKey.AFTERCARE_QUESTION: {
        "nl": _texts(
            "Hoe gaat het met uw nieuwe verwarming?",
            "Uw woning is een tijdje aangesloten. Hoe gaat het? Heeft u genoeg warmte en warm water? "
            "Laat het ons weten op ((portal_link)).",
            "((sender)): hoe gaat het met uw verwarming? Laat het weten: ((portal_link))",
            _NL_END,
        ),
        "en": _texts(
            "How is your new heating?",
            "Your home has been connected for a while. How is it going? Do you have enough heat and hot "
            "water? Let us know at ((portal_link)).",
            "((sender)): how is your heating? Let us know: ((portal_link))",
            _EN_END,
        ),
    },
    TemplateKey.MEETING_INVITATION: {
        "nl": _texts(
            "Uitnodiging: ((meeting_title)) op ((meeting_date))",
            "Wij nodigen u uit voor ((meeting_title)).\n\n"
            "Wanneer: ((meeting_date)) om ((meeting_time))\nWaar: ((meeting_place))\n\n"
            "Komt u? Laat het ons weten op uw eigen pagina: ((portal_link)) (kies Bijeenkomsten). "
            "Daar zegt u ook met hoeveel mensen u komt.",
            "((sender)): uitnodiging voor ((meeting_title)), ((meeting_date)) om ((meeting_time)), "
            "((meeting_place)). Komt u? ((portal_link))",
            _NL_END,
        ),
        "en": _texts(
            "Invitation: ((meeting_title)) on ((meeting_date))",
            "We invite you to ((meeting_title)).\n\n"
            "When: ((meeting_date)) at ((meeting_time))\nWhere: ((meeting_place))\n\n"
            "Are you coming? Let us know on your own page: ((portal_link)) (choose Meetings). "
            "There you also say how many people come.",
            "((sender)): invitation to ((meeting_title)), ((meeting_date)) at ((meeting_time)), "
            "((meeting_place)). Coming? ((portal_link))",
            _EN_END,
        ),
    },
    TemplateKey.PORTAL_LINK: {
        "nl": _texts(
            "Uw persoonlijke link",
            "Via deze link ziet u hoe het staat met uw woning, kiest u een afspraak en stelt u een vraag: "
            "((portal_link))\n\nDeze link is alleen voor u. Stuur hem niet door.",
            "((sender)): uw persoonlijke link: ((portal_link))",
            _NL_END,
        ),
        "en": _texts(
            "Your personal link",
            "With this link you see how things stand with your home, choose an appointment and ask a "
            "question: ((portal_link))\n\nThis link is for you only. Do not pass it on.",
            "((sender)): your personal link: ((portal_link))",
            _EN_END,
        ),
    },
    TemplateKey.APPOINTMENT_CONFIRMED: {
        "nl": _texts(
            "Uw afspraak: ((appointment_date)) om ((appointment_time))",
            "Uw afspraak voor het bezoek aan uw woning staat vast: ((appointment_date)) om "
            "((appointment_time)). Wilt u toch een andere tijd? Kies die tot een dag ervoor op "
            "((portal_link)).",
            "((sender)): afspraak ((appointment_date)) om ((appointment_time)). Wijzigen: ((portal_link))",
            _NL_END,
        ),
        "en": _texts(
            "Your appointment: ((appointment_date)) at ((appointment_time))",
            "Your appointment for the visit to your home is set: ((appointment_date)) at "
            "((appointment_time)). Would you like another time? Choose one until a day before at "
            "((portal_link)).",
            "((sender)): appointment ((appointment_date)) at ((appointment_time)). Change: ((portal_link))",
            _EN_END,
        ),
    },
    TemplateKey.APPOINTMENT_CANCELLED: {
        "nl": _texts(
            "Uw afspraak is afgezegd",
            "U heeft de afspraak voor het bezoek aan uw woning afgezegd. Kies een nieuwe tijd op "
            "((portal_link)).",
            "((sender)): uw afspraak is afgezegd. Kies een nieuwe tijd: ((portal_link))",
            _NL_END,
        ),
        "en": _texts(
            "Your appointment is called off",
            "You called off the appointment for the visit to your home. Choose a new time at "
            "((portal_link)).",
            "((sender)): your appointment is called off. Choose a new time: ((portal_link))",
            _EN_END,
        ),
    },
    TemplateKey.ANSWER: {
        "nl": _texts(
            "Antwoord op uw vraag",
            "((answer))\n\nU leest het ook op ((portal_link)).",
            "((sender)): ((answer))",
            _NL_END,
        ),
        "en": _texts(
            "Answer to your question",
            "((answer))\n\nYou can also read it at ((portal_link)).",
            "((sender)): ((answer))",
            _EN_END,
        ),
    },
    TemplateKey.ONE_TIME_CODE: {
        "nl": _texts(
            "Uw code: ((code))",
            "Uw code om akkoord te geven is ((code)). De code is een kwartier geldig. Heeft u niets "
            "aangevraagd? Dan kunt u dit bericht negeren.",
            "Uw code voor ((sender)): ((code)). Een kwartier geldig.",
            _NL_END,
        ),
        "en": _texts(
            "Your code: ((code))",
            "Your code to give your consent is ((code)). It is valid for a quarter of an hour. Did you "
            "not ask for it? Then ignore this message.",
            "Your code for ((sender)): ((code)). Valid for a quarter of an hour.",
            _EN_END,
        ),
    },
    TemplateKey.CUSTOM: {
        "nl": _texts("Bericht over uw aansluiting", "", "((sender)): ", _NL_END),
        "en": _texts("Message about your connection", "", "((sender)): ", _EN_END),
    },
}

# The automatic messages a project starts from: a move of the workflow, or the day before an appointment.
DEFAULT_RULES = {
    "plan_survey": TemplateKey.SURVEY_INVITATION,
    "day_before_survey": TemplateKey.SURVEY_REMINDER,
    "visit_failed": TemplateKey.VISIT_MISSED,
    "approve_plan": TemplateKey.PLAN_READY,
    "plan_installation": TemplateKey.INSTALLATION_DATE,
    "day_before_installation": TemplateKey.INSTALLATION_REMINDER,
    "confirm_connection": TemplateKey.WELCOME,
}
