"""The layout of a demo neighbourhood: districts, streets, blocks and their addresses, always the same."""

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from demo.neighbourhoods import Neighbourhood
from projects.models import DwellingType


@dataclass(frozen=True, slots=True)
class Home:
    """One address of the layout, with the block it is in."""

    street: str
    number: int
    letter: str
    addition: str
    postcode: str
    cluster: str
    rank: float
    kind: str
    floor_area: int
    build_year: int
    owner: str  # "association", "private" or "vve"
    owners_association: str
    listed: bool
    bag_id: str
    seed: int

    @property
    def key(self) -> tuple:
        return (self.postcode, self.number, self.letter, self.addition)


# Postcode letters that the Dutch post does not use.
_POSTCODE_LETTERS = [
    a + b
    for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if a + b not in ("SA", "SD", "SS")
]
_FLATS = ("portiek", "galerij")


def _units(kind: str, rng: random.Random) -> tuple[int, list[tuple[int, str, str, str, int]]]:
    """House numbers a block takes on its side of the street, and its homes:
    (number index, letter, addition, dwelling type, floor area)."""
    T = DwellingType
    if kind == "row":
        size = rng.randint(4, 9)
        return size, [
            (i, "", "", T.END_OF_TERRACE if i in (0, size - 1) else T.MID_TERRACE, rng.randint(78, 108))
            for i in range(size)
        ]
    if kind == "pair":
        return 2, [(i, "", "", T.SEMI_DETACHED, rng.randint(105, 142)) for i in range(2)]
    if kind == "detached":
        return 1, [(0, "", "", T.DETACHED, rng.randint(125, 195))]
    if kind == "portiek":  # two front doors per stairwell, ground floor and three storeys
        numbers = 2 * rng.randint(2, 3)
        return numbers, [
            (i, "", floor, T.APARTMENT, rng.randint(55, 78)) for i in range(numbers) for floor in "H123"
        ]
    if kind == "galerij":
        size = rng.randint(20, 40)
        return size, [(i, "", "", T.APARTMENT, rng.randint(58, 86)) for i in range(size)]
    # A ground-floor and an upstairs home behind one front door number.
    return 1, [(0, "", "", T.OTHER, rng.randint(60, 85)), (0, "A", "", T.OTHER, rng.randint(55, 80))]


def layout(hood: Neighbourhood) -> Iterator[Home]:
    """Every home of the neighbourhood, always in the same order: district by district, street by
    street; when all streets have a segment, another round continues their numbering."""
    rng = random.Random(f"demo-layout:{hood.key}")
    kinds, weights = list(hood.blocks), list(hood.blocks.values())
    next_number: dict[str, list[int]] = {}
    serial = 0
    for round_ in itertools.count():
        for d_index, (district, streets) in enumerate(hood.districts):
            area = hood.postcode_start + round_ * len(hood.districts) + d_index
            letters = iter(_POSTCODE_LETTERS)
            for s_index, street in enumerate(streets):
                rank = s_index / len(streets)
                cluster = f"{district} {round_ * len(streets) + s_index + 1}"
                numbers = next_number.setdefault(street, [1, 2])  # odd side, even side
                postcode, used = ["", ""], [99, 99]
                size, made = rng.randint(*hood.segment), 0
                while made < size:
                    kind = rng.choices(kinds, weights)[0]
                    side = rng.randrange(2)
                    count, units = _units(kind, rng)
                    if kind in _FLATS or used[side] + len(units) > 24:
                        postcode[side], used[side] = f"{area} {next(letters)}", 0
                    used[side] += len(units)
                    first = numbers[side]
                    numbers[side] += 2 * count
                    year = rng.randint(*hood.build_years[kind])
                    owner = "association" if rng.random() < hood.association_share.get(kind, 0) else "private"
                    vve = ""
                    if kind in _FLATS and owner == "private":
                        owner, vve = "vve", f"VvE {street} {first}-{first + 2 * (count - 1)}"
                    listed = year < hood.listed_before and rng.random() < 0.3
                    for index, letter, addition, dwelling_type, floor_area in units:
                        serial += 1
                        yield Home(
                            street=street,
                            number=first + 2 * index,
                            letter=letter,
                            addition=addition,
                            postcode=postcode[side],
                            cluster=cluster,
                            rank=rank,
                            kind=dwelling_type,
                            floor_area=floor_area,
                            build_year=year,
                            owner=owner,
                            owners_association=vve,
                            listed=listed,
                            bag_id=f"{hood.bag_municipality}01{serial:010d}",
                            seed=rng.getrandbits(64),
                        )
                    made += len(units)
