"""Checking an existing client's tax data again against AFIP's registry (padrón): what differs,
field by field, and applying the differences the office chose (audited)."""

import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.clients.models import Client
from app.clients.services import update_client
from app.taxes import padron
from app.taxes.rules import TaxIdType

# The card's fields the registry knows, in the order the page lists them.
RECHECKED = {
    "kind": _l("Tipo de persona"),
    "legal_name": _l("Razón social"),
    "last_name": _l("Apellido"),
    "first_name": _l("Nombre"),
    "iva_condition": _l("Condición frente al IVA"),
    "activity": _l("Actividad"),
    "street": _l("Domicilio fiscal"),
    "city": _l("Localidad"),
    "province": _l("Provincia"),
    "postal_code": _l("Código postal"),
}
KIND_LABELS = {"company": _l("Persona jurídica"), "person": _l("Persona humana")}
# AFIP's province names (descripcionProvincia) as the client card writes them.
PROVINCES = {
    "CIUDAD AUTONOMA BUENOS AIRES": "Ciudad Autónoma de Buenos Aires",
    "CAPITAL FEDERAL": "Ciudad Autónoma de Buenos Aires",
    "BUENOS AIRES": "Buenos Aires",
    "CATAMARCA": "Catamarca",
    "CHACO": "Chaco",
    "CHUBUT": "Chubut",
    "CORDOBA": "Córdoba",
    "CORRIENTES": "Corrientes",
    "ENTRE RIOS": "Entre Ríos",
    "FORMOSA": "Formosa",
    "JUJUY": "Jujuy",
    "LA PAMPA": "La Pampa",
    "LA RIOJA": "La Rioja",
    "MENDOZA": "Mendoza",
    "MISIONES": "Misiones",
    "NEUQUEN": "Neuquén",
    "RIO NEGRO": "Río Negro",
    "SALTA": "Salta",
    "SAN JUAN": "San Juan",
    "SAN LUIS": "San Luis",
    "SANTA CRUZ": "Santa Cruz",
    "SANTA FE": "Santa Fe",
    "SANTIAGO DEL ESTERO": "Santiago del Estero",
    "TIERRA DEL FUEGO": "Tierra del Fuego",
    "TUCUMAN": "Tucumán",
}


class NotRecheckable(ValueError):
    """A client whose tax id is not a CUIT the registry can be asked about."""


@dataclass(frozen=True)
class Difference:
    """A field whose card value and registry value differ."""

    field: str
    label: str
    current: str | None
    registry: str | None


def _plain_text(value: str | None) -> str:
    """Text as compared: no accents, no case, single spaces ("Córdoba" == "CORDOBA")."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def registry_values(person: padron.RegistryPerson) -> dict[str, str | None]:
    """What the registry says of each rechecked field, as the card stores it."""
    activity = person.activities[0].description[:120] if person.activities else None
    province = person.province and PROVINCES.get(_plain_text(person.province).upper())
    return {
        "kind": person.kind,
        "legal_name": person.legal_name,
        "last_name": person.last_name,
        "first_name": person.first_name,
        "iva_condition": person.iva_condition,
        "activity": activity,
        "street": person.street,
        "city": person.city,
        "province": province or person.province,
        "postal_code": person.postal_code,
    }


def client_cuit(client: Client) -> str:
    """The CUIT to ask the registry about; NotRecheckable if the client has none."""
    if client.tax_id_type not in (TaxIdType.CUIT, TaxIdType.CUIL) or not client.tax_id:
        raise NotRecheckable(client.tax_id_type)
    return client.tax_id


def differences(client: Client, person: padron.RegistryPerson) -> list[Difference]:
    """The rechecked fields whose registry value differs from the card's (the registry says
    something: a field it leaves empty is no difference)."""
    found = []
    for field, registry in registry_values(person).items():
        current = getattr(client, field)
        if not registry or _plain_text(current) == _plain_text(registry):
            continue
        found.append(Difference(field, str(RECHECKED[field]), current, registry))
    return found


def apply_differences(
    client: Client, person: padron.RegistryPerson, chosen: list[str]
) -> list[str]:
    """Copy the chosen differing fields from the registry to the card, with an audit row
    saying so; the fields changed (none: nothing happens)."""
    wanted = {d.field: d.registry for d in differences(client, person) if d.field in chosen}
    if not wanted:
        return []
    update_client(client, wanted)
    audit.record(
        "client.padron_recheck",
        "client",
        client.id,
        None,
        {"cuit": person.cuit, "fields": sorted(wanted)},
    )
    return sorted(wanted)
