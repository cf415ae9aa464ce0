"""The people of the demo's homes (owners, residents, landlords) and what they say: the reasons of a
decline, a hold or a withdrawal, and notes of failed visits. Also the register entry of one home."""

import random
import unicodedata

from demo.layout import Home
from demo.neighbourhoods import Neighbourhood, names
from projects.models import (
    ENERGY_LABELS,
    Channel,
    Contact,
    ContactRole,
    Dwelling,
    DwellingType,
    Organisation,
    Ownership,
    Project,
)
from projects.states import DwellingState

FIRST_NAMES = names(
    "Anja, Annemarie, Bep, Carla, Daphne, Els, Emma, Esther, Fatima, Fenna, Gerda, Hanneke, Ilse, "
    "Jolanda, Julia, Karin, Linda, Lotte, Maria, Marieke, Monique, Nicole, Petra, Riet, Sandra, "
    "Saskia, Sophie, Tineke, Wilma, Yasmina, Zeynep, Priya, Nadia, Sevda, Mila, Noor, Anouk, Femke, "
    "Iris, Ahmed, Arjen, Bart, Bas, Cor, Daan, Dirk, Erik, Frank, Gerrit, Hans, Henk, Jan, Jeroen, "
    "Johan, Joost, Kees, Koen, Lars, Marco, Mark, Martijn, Mehmet, Mohamed, Niels, Peter, Pim, Rik, "
    "Rob, Ruud, Sander, Stefan, Thijs, Tom, Wim, Youssef, Raj, Sem, Luuk, Hüseyin, Gert-Jan"
)
LAST_NAMES = names(
    "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit, Meijer, de "
    "Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker, Brouwer, de Wit, "
    "Dijkstra, Smits, de Graaf, van der Meer, van der Linden, Kok, Jacobs, de Haan, Vermeulen, van "
    "den Heuvel, van der Veen, van den Broek, de Bruijn, van der Heijden, Schouten, van Beek, "
    "Willems, van Vliet, Hoekstra, Maas, Verhoeven, Koster, van Dam, Prins, Blom, Huisman, de Lange, "
    "Kuipers, van Wijk, Yılmaz, El Idrissi, Kaya, Bennani, Öztürk, Ramdin, Tjon A Fong, Nguyen, "
    "Kowalski, Postma"
)
LANDLORDS = (
    "Amstel Vastgoed B.V.",
    "Woningbeheer Van Leeuwen B.V.",
    "Tuindorp Verhuur B.V.",
    "Vastgoedbeheer De Kroon",
    "J. Bakker Beheer B.V.",
    "Hofstede Onroerend Goed",
)
CARE_NOTES = (
    "Bewoner is slechthorend: afspraken altijd schriftelijk bevestigen.",
    "Mantelzorger (dochter) wil bij elk bezoek aanwezig zijn; eerst haar bellen.",
    "Bewoner zit in een rolstoel; de kruipruimte is alleen via de gang bereikbaar.",
    "Beginnende dementie: afspraken via de contactpersoon maken, niet aan de deur.",
    "Bewoner spreekt weinig Nederlands; de bewonersconsulent tolkt.",
    "Thuisbeademing op stroom: een stroomonderbreking vooraf melden en afstemmen.",
    "Angstig voor vreemden in huis: vaste monteur en een vooraankondiging per brief.",
    "Hond in huis; laat vooraf weten wanneer u komt.",
)
DECLINE_REASONS = (
    "Eigenaar wacht liever tot de cv-ketel aan vervanging toe is.",
    "Eigenaar kiest voor een eigen warmtepomp.",
    "De eenmalige aansluitbijdrage is voor deze eigenaar te hoog.",
    "Bewoner wil geen breekwerk in huis; wil eerst een voorbeeldwoning zien.",
    "Eigenaar vertrouwt het vaste warmtetarief niet.",
    "Woning staat te koop; de eigenaar laat het aan de koper.",
)
HOLD_REASONS = (
    "Funderingsherstel in de straat: eerst afwachten.",
    "Asbestinventarisatie loopt nog.",
    "Bewoner langdurig opgenomen in het ziekenhuis; later opnieuw.",
    "Wacht op verzwaring van de elektra-aansluiting door de netbeheerder.",
    "Bezwaar van de buren tegen het leidingtracé door de achtertuin.",
)
WITHDRAW_REASONS = (
    "Valt buiten het tracé van het warmtenet.",
    "Dubbel in het register: dezelfde woning als het adres met toevoeging.",
    "Geen woning: bedrijfsruimte op de begane grond.",
    "Wordt gesloopt voor nieuwbouw.",
)
ASSOCIATION_WITHDRAW_REASONS = ("Sloop-nieuwbouw De Linde: het complex gaat in 2027 tegen de vlakte.",)
REJECT_REASONS = (
    "Afleverset lekt bij de retourkoppeling; opnieuw monteren.",
    "Warmtemeter ontbreekt.",
    "Leidingisolatie in de kruipruimte is onvolledig.",
)
VISIT_NOTES = ("", "", "Kaartje in de bus gedaan.", "Nieuwe afspraak per telefoon.", "Hond alleen thuis.")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def person(rng: random.Random, role: str) -> Contact:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    name = f"{first} {last}"
    email = ""
    if rng.random() < 0.85:
        local = f"{_ascii(first)}.{_ascii(last).replace(' ', '')}".replace("-", "")
        if rng.random() < 0.5:
            local += str(rng.randint(1, 99))
        email = f"{local}@{rng.choice(('example.com', 'example.net', 'example.org'))}"
    phone = f"06-{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.9 else ""
    draw = rng.random()
    if email and draw < 0.7:
        channel = Channel.EMAIL
    elif phone and draw < 0.85:
        channel = Channel.SMS
    else:
        channel = Channel.LETTER
    language = "nl" if rng.random() < 0.94 else rng.choice(("en", "en", "tr", "ar", "pl"))
    return Contact(
        role=role, name=name, email=email, phone=phone, preferred_channel=channel, language=language
    )


def landlord(rng: random.Random) -> Contact:
    if rng.random() < 0.6:
        return person(rng, ContactRole.OWNER)
    name = rng.choice(LANDLORDS)
    domain = _ascii(name).replace(" b.v.", "").replace(".", "").replace(" ", "")
    return Contact(
        role=ContactRole.OWNER,
        name=name,
        email=f"verhuur@{domain}.example.com",
        phone=f"020-{rng.randint(6_000_000, 6_999_999)}",
        preferred_channel=Channel.EMAIL,
    )


def register(
    home: Home, hood: Neighbourhood, project: Project, association: Organisation | None, rng: random.Random
) -> tuple[Dwelling, list[Contact]]:
    """One dwelling as it enters the register, with its people; unsaved."""
    ownership = Ownership.OWNER_OCCUPIED
    if home.owner == "association" and association is not None:
        # Now and then an association home was sold to its tenant.
        if home.kind == DwellingType.APARTMENT or rng.random() > 0.08:
            ownership = Ownership.HOUSING_ASSOCIATION
    elif rng.random() < hood.rental_share["vve" if home.owners_association else "private"]:
        ownership = Ownership.PRIVATE_RENTAL
    label_index = max(0, min(10, 10 - (home.build_year - 1925) // 15 - rng.randint(0, 2)))
    if rng.random() < 0.3:
        label_index = max(4, label_index - rng.randint(1, 3))  # insulated since
    care = rng.random() < 0.05
    dwelling = Dwelling(
        project=project,
        postcode=home.postcode,
        house_number=home.number,
        house_letter=home.letter,
        house_number_addition=home.addition,
        street=home.street,
        city=hood.city,
        bag_id=home.bag_id if rng.random() < 0.98 else "",
        ownership=ownership,
        housing_association=association if ownership == Ownership.HOUSING_ASSOCIATION else None,
        owners_association=home.owners_association,
        dwelling_type=home.kind,
        build_year=home.build_year,
        energy_label=ENERGY_LABELS[label_index] if rng.random() < 0.95 else "",
        floor_area=home.floor_area,
        listed_monument=home.listed,
        cluster=home.cluster,
        extra_care=care,
        extra_care_note=rng.choice(CARE_NOTES) if care else "",
        state=DwellingState.REGISTERED,
    )
    if ownership == Ownership.HOUSING_ASSOCIATION:
        contacts = [person(rng, ContactRole.RESIDENT)]
    elif ownership == Ownership.PRIVATE_RENTAL:
        contacts = [landlord(rng), person(rng, ContactRole.RESIDENT)]
    else:
        contacts = [person(rng, ContactRole.OWNER)]
    for contact in contacts:
        contact.dwelling = dwelling
    return dwelling, contacts
