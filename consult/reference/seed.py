"""Region Hovedstaden's reference data as of 2024, loaded once; the secretariat edits it after."""

from __future__ import annotations

from sqlalchemy import select

from consult.extensions import db
from consult.reference.models import HealthCluster
from consult.reference.models import Municipality
from consult.reference.models import Region
from consult.reference.models import RespondentType

REGIONS = [("hovedstaden", "Region Hovedstaden", "Capital Region of Denmark")]

CLUSTERS = [
    ("nord", "Sundhedsklynge Nord", "Health cluster North"),
    ("midt", "Sundhedsklynge Midt", "Health cluster Central"),
    ("byen", "Sundhedsklynge Byen", "Health cluster City"),
    ("syd", "Sundhedsklynge Syd", "Health cluster South"),
    ("bornholm", "Sundhedsklynge Bornholm", "Health cluster Bornholm"),
]

#: code, Danish name, English name (where it differs), clusters.
MUNICIPALITIES = [
    ("albertslund", "Albertslund", "", ["syd"]),
    ("alleroed", "Allerød", "", ["nord"]),
    ("ballerup", "Ballerup", "", ["midt"]),
    ("bornholm", "Bornholm", "", ["bornholm"]),
    ("broendby", "Brøndby", "", ["syd"]),
    ("dragoer", "Dragør", "", ["syd"]),
    ("egedal", "Egedal", "", ["midt"]),
    ("fredensborg", "Fredensborg", "", ["nord"]),
    ("frederiksberg", "Frederiksberg", "", ["byen"]),
    ("frederikssund", "Frederikssund", "", ["nord"]),
    ("furesoe", "Furesø", "", ["midt"]),
    ("gentofte", "Gentofte", "", ["midt"]),
    ("gladsaxe", "Gladsaxe", "", ["midt"]),
    ("glostrup", "Glostrup", "", ["syd"]),
    ("gribskov", "Gribskov", "", ["nord"]),
    ("halsnaes", "Halsnæs", "", ["nord"]),
    ("helsingoer", "Helsingør", "Elsinore", ["nord"]),
    ("herlev", "Herlev", "", ["midt"]),
    ("hilleroed", "Hillerød", "", ["nord"]),
    ("hvidovre", "Hvidovre", "", ["syd"]),
    ("hoeje-taastrup", "Høje-Taastrup", "", ["syd"]),
    ("hoersholm", "Hørsholm", "", ["nord"]),
    ("ishoej", "Ishøj", "", ["syd"]),
    ("koebenhavn", "København", "Copenhagen", ["byen", "syd"]),
    ("lyngby-taarbaek", "Lyngby-Taarbæk", "", ["midt"]),
    ("rudersdal", "Rudersdal", "", ["midt"]),
    ("roedovre", "Rødovre", "", ["syd"]),
    ("taarnby", "Tårnby", "", ["syd"]),
    ("vallensbaek", "Vallensbæk", "", ["syd"]),
]

#: code, Danish, English, is_organisation, asks_sector.
RESPONDENT_TYPES = [
    ("citizen", "Borger", "Citizen", False, False),
    ("relative", "Pårørende", "Relative", False, False),
    (
        "patient-representative",
        "Patient- eller brugerrepræsentant",
        "Patient or user representative",
        False,
        False,
    ),
    ("patient-association", "Patientforening", "Patient association", True, False),
    ("interest-organisation", "Interesseorganisation", "Interest organisation", True, False),
    ("professional", "Fagperson", "Professional", False, True),
    ("researcher", "Forsker", "Researcher", False, False),
    ("politician", "Politiker", "Politician", False, False),
    ("municipality", "Kommune", "Municipality", True, False),
    ("region", "Region", "Region", True, False),
    ("health-cluster", "Sundhedsklynge", "Health cluster", True, False),
]


def load_reference_data() -> int:
    """Add the rows whose code is not there yet; never change what the secretariat edited."""
    added = 0

    def existing(model) -> dict[str, object]:
        return {row.code: row for row in db.session.scalars(select(model))}

    regions = existing(Region)
    for i, (code, da, en) in enumerate(REGIONS):
        if code not in regions:
            regions[code] = Region(code=code, name_da=da, name_en=en, position=i)
            db.session.add(regions[code])
            added += 1
    clusters = existing(HealthCluster)
    for i, (code, da, en) in enumerate(CLUSTERS):
        if code not in clusters:
            clusters[code] = HealthCluster(code=code, name_da=da, name_en=en, position=i)
            db.session.add(clusters[code])
            added += 1
    municipalities = existing(Municipality)
    for i, (code, da, en, cluster_codes) in enumerate(MUNICIPALITIES):
        if code not in municipalities:
            db.session.add(
                Municipality(
                    code=code,
                    name_da=da,
                    name_en=en,
                    position=i,
                    region=regions["hovedstaden"],
                    clusters=[clusters[c] for c in cluster_codes],
                )
            )
            added += 1
    types = existing(RespondentType)
    for i, (code, da, en, is_org, sector) in enumerate(RESPONDENT_TYPES):
        if code not in types:
            db.session.add(
                RespondentType(
                    code=code,
                    name_da=da,
                    name_en=en,
                    position=i,
                    is_organisation=is_org,
                    asks_sector=sector,
                )
            )
            added += 1
    db.session.flush()
    return added
