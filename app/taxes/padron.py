"""AFIP's registry (padrón) lookup: a WSAA login, then ws_sr_constancia_inscripcion's getPersona_v2.

The protocol, as AFIP documents it:

1. WSAA (LoginCms). A login ticket request (TRA: uniqueId, generationTime, expirationTime and
   the service name) is signed as CMS/PKCS#7 SignedData with the company's certificate and key,
   content included, DER, base64, and sent in a SOAP envelope to LoginCms. The answer
   (loginTicketResponse, escaped inside loginCmsReturn) carries a token, a sign and their
   expirationTime (about 12 hours). WSAA refuses a second login while a ticket is still valid
   (coe.alreadyAuthenticated), so the ticket is kept in a file under the instance folder that
   every gunicorn worker shares, written atomically, and logins are serialised by a file lock.
2. ws_sr_constancia_inscripcion (the successor of ws_sr_padron_a5, same endpoint
   personaServiceA5). getPersona_v2(token, sign, cuitRepresentada = the company's CUIT,
   idPersona) answers personaReturn with datosGenerales, datosRegimenGeneral, datosMonotributo
   and errorConstancia, errorRegimenGeneral, errorMonotributo (why a section is missing); an
   unknown CUIT is a SOAP fault "No existe persona con ese Id". A section's impuesto rows list
   the taxes the person is registered in: some answers give each an estadoImpuesto, others
   (recorded A5 answers) none, so a row without a state counts as registered.

Connection errors and 5xx answers that are not SOAP faults (SOAP 1.1 sends faults as 500) are
retried a few times with a short backoff; a read timeout is not retried, so a slow registry
costs the user one timeout, not several. Parsed people are cached for PADRON_CACHE_SECONDS.
"""

import base64
import contextlib
import fcntl
import json
import os
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from flask import current_app

from app.taxes.rules import N_, IvaCondition, TaxIdType, validate_tax_id

SERVICE = "ws_sr_constancia_inscripcion"
RETRIES = 2  # after the first attempt
BACKOFF_SECONDS = 0.5  # doubled on each retry: 0.5 s, then 1 s
TICKET_MARGIN = timedelta(minutes=2)  # a ticket this close to expiring is renewed
ACTIVE_KEY = "ACTIVO"
ARGENTINA = timezone(timedelta(hours=-3))  # AFIP writes its times in UTC-3

# Tax ids of AFIP's registry (tabla de impuestos) that decide the IVA condition.
TAX_IVA = 30  # IVA: a Responsable Inscripto
TAX_IVA_EXEMPT = 32  # IVA EXENTO
TAX_MONOTRIBUTO = 20  # MONOTRIBUTO (the Régimen Simplificado)
# State of a tax in the registry: AC active, EX exempt, BD dropped (baja definitiva); "" when
# the row has no estadoImpuesto, which means the person is registered in that tax.
ACTIVE_TAX_STATES = ("AC", "ACTIVO")
EXEMPT_TAX_STATES = ("EX", "EXENTO")
# The personaReturn blocks that say why a section was left out: kept as warnings.
SECTION_ERRORS = ("errorRegimenGeneral", "errorMonotributo")


class PadronError(Exception):
    """A lookup that could not fill the form; `message` is a Spanish source string."""

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class InvalidCuit(PadronError):
    """The number typed is not a valid CUIT; the registry was not asked."""


class RegistryUnavailable(PadronError):
    """AFIP did not answer, answered late or answered with a server error."""


class PersonNotFound(PadronError):
    """The registry has no person with that CUIT."""


class InactiveKey(PadronError):
    """The CUIT exists but its key is not active (inactive, cancelled, ...)."""


class NotConfigured(PadronError):
    """The company's certificate, key or CUIT are not set."""


@dataclass(frozen=True)
class Activity:
    """One economic activity (nomenclador F.883) the person declared."""

    code: str
    description: str


@dataclass(frozen=True)
class RegistryPerson:
    """What the registry says about a CUIT, in the client card's terms."""

    cuit: str
    kind: str  # "company" or "person", as ClientKind
    legal_name: str
    last_name: str | None
    first_name: str | None
    street: str | None
    city: str | None
    province: str | None
    postal_code: str | None
    key_state: str
    iva_condition: str
    active_taxes: tuple[int, ...] = ()
    monotributo_category: str | None = None
    activities: tuple[Activity, ...] = ()
    warnings: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict) -> "RegistryPerson":
        """Rebuild a cached person."""
        data = dict(data)
        data["active_taxes"] = tuple(data.get("active_taxes", ()))
        data["activities"] = tuple(Activity(**a) for a in data.get("activities", ()))
        data["warnings"] = tuple(data.get("warnings", ()))
        return cls(**data)


@dataclass(frozen=True)
class Ticket:
    """WSAA's access ticket for one service."""

    token: str
    sign: str
    expires: datetime

    def fresh(self, now: datetime) -> bool:
        """True while the ticket can still be used."""
        return now + TICKET_MARGIN < self.expires


@dataclass(frozen=True)
class PadronSettings:
    """Where AFIP is and who the company is; read from the app's settings."""

    wsaa_url: str
    padron_url: str
    cert_path: str
    key_path: str
    cuit: str
    timeout: float
    cache_seconds: int
    cache_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()))

    @classmethod
    def from_app(cls, app) -> "PadronSettings":
        """The settings of a Flask app; the caches live in its instance folder."""
        config = app.config
        return cls(
            wsaa_url=config["AFIP_WSAA_URL"],
            padron_url=config["AFIP_PADRON_URL"],
            cert_path=config["AFIP_CERT_PATH"],
            key_path=config["AFIP_KEY_PATH"],
            cuit=config["AFIP_CUIT"],
            timeout=float(config["AFIP_TIMEOUT"]),
            cache_seconds=int(config["PADRON_CACHE_SECONDS"]),
            cache_dir=Path(app.instance_path) / "afip",
        )


# --- IVA condition ---------------------------------------------------------------------------


def tax_is_active(state: str) -> bool:
    """True for a tax row the person is registered in: state AC, or no state at all."""
    return not state or state in ACTIVE_TAX_STATES


def iva_condition_from_taxes(
    taxes: Iterable[tuple[int, str]], monotributo_category: str | None = None
) -> IvaCondition:
    """The IVA condition implied by the registry's taxes, as (idImpuesto, estadoImpuesto) pairs.

    Only active taxes count (AC, or a row with no state: see tax_is_active): a dropped IVA (BD)
    says nothing about today. IVA (30) active makes
    a Responsable Inscripto; IVA recorded with the exempt state (EX), or IVA EXENTO (32) active,
    makes an Exento; MONOTRIBUTO (20) active, or a current monotributo category in
    datosMonotributo, makes a Monotributo. IVA is checked first because a Responsable
    Inscripto cannot be in the Régimen Simplificado, so a stale monotributo row must not win.
    With none of them the person is a Consumidor Final for the seller.
    """
    states: dict[int, str] = {}
    for tax_id, state in taxes:
        if tax_is_active(state) or tax_id not in states:
            states[tax_id] = state
    active = {tax_id for tax_id, state in states.items() if tax_is_active(state)}
    if TAX_IVA in active:
        return IvaCondition.REGISTERED
    if TAX_MONOTRIBUTO in active or monotributo_category:
        return IvaCondition.MONOTRIBUTO
    if TAX_IVA_EXEMPT in active or states.get(TAX_IVA) in EXEMPT_TAX_STATES:
        return IvaCondition.EXEMPT
    return IvaCondition.FINAL_CONSUMER


# --- XML and SOAP ----------------------------------------------------------------------------

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSAA_NS = "http://wsaa.view.sua.dvadac.desein.afip.gov"
PADRON_NS = "http://a5.soap.ws.server.puc.sr/"


def _local(tag: str) -> str:
    """A tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element | None, name: str) -> list[ET.Element]:
    """Direct children with this local name."""
    if element is None:
        return []
    return [child for child in element if _local(child.tag) == name]


def _child(element: ET.Element | None, name: str) -> ET.Element | None:
    """The first direct child with this local name."""
    found = _children(element, name)
    return found[0] if found else None


def _text(element: ET.Element | None, name: str) -> str | None:
    """The stripped text of a child, None when absent or empty."""
    child = _child(element, name)
    text = (child.text or "").strip() if child is not None else ""
    return text or None


def _descendant(element: ET.Element, name: str) -> ET.Element | None:
    """The first element anywhere below with this local name."""
    return next((e for e in element.iter() if _local(e.tag) == name), None)


def _parse(content: bytes) -> ET.Element:
    """Parse an answer; unreadable XML means the registry is not answering properly."""
    try:
        return ET.fromstring(content)
    except ET.ParseError as exc:
        raise RegistryUnavailable(N_("AFIP respondió algo que no se puede leer.")) from exc


def soap_fault(content: bytes) -> str | None:
    """The faultstring of a SOAP fault, None when the answer is not one."""
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        return None
    fault = _descendant(root, "Fault")
    if fault is None:
        return None
    return _text(fault, "faultstring") or _text(fault, "faultcode") or "SOAP fault"


def envelope(body: str) -> bytes:
    """A SOAP 1.1 envelope around a body."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}">'
        f"<soapenv:Header/><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


# --- WSAA ------------------------------------------------------------------------------------


def login_ticket_request(service: str, now: datetime) -> bytes:
    """The TRA: valid from ten minutes ago (clock skew) to ten minutes ahead."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<loginTicketRequest version="1.0"><header>'
        f"<uniqueId>{int(now.timestamp())}</uniqueId>"
        f"<generationTime>{(now - timedelta(minutes=10)).astimezone(ARGENTINA).isoformat()}"
        "</generationTime>"
        f"<expirationTime>{(now + timedelta(minutes=10)).astimezone(ARGENTINA).isoformat()}"
        "</expirationTime>"
        f"</header><service>{escape(service)}</service></loginTicketRequest>"
    ).encode()


def sign_cms(content: bytes, cert_pem: bytes, key_pem: bytes) -> str:
    """CMS SignedData over the content (included), DER, base64: the `in0` of LoginCms.

    Binary keeps the TRA's bytes as they are (otherwise line ends become CRLF, S/MIME style).
    """
    certificate = x509.load_pem_x509_certificate(cert_pem)
    key = serialization.load_pem_private_key(key_pem, password=None)
    signed = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(certificate, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )
    return base64.b64encode(signed).decode("ascii")


def parse_login_response(content: bytes) -> Ticket:
    """Token, sign and expiration from LoginCms's answer."""
    root = _parse(content)
    returned = _descendant(root, "loginCmsReturn")
    if returned is None or not (returned.text or "").strip():
        raise RegistryUnavailable(N_("AFIP respondió algo que no se puede leer."))
    ticket = _parse(returned.text.strip().encode())
    token = _text(_descendant(ticket, "credentials"), "token")
    sign = _text(_descendant(ticket, "credentials"), "sign")
    expires = _text(_descendant(ticket, "header"), "expirationTime")
    if not (token and sign and expires):
        raise RegistryUnavailable(N_("AFIP respondió algo que no se puede leer."))
    return Ticket(token, sign, datetime.fromisoformat(expires))


# --- getPersona_v2 ---------------------------------------------------------------------------


def get_persona_request(ticket: Ticket, company_cuit: str, cuit: str) -> bytes:
    """The getPersona_v2 call."""
    return envelope(
        f'<a5:getPersona_v2 xmlns:a5="{PADRON_NS}">'
        f"<token>{escape(ticket.token)}</token><sign>{escape(ticket.sign)}</sign>"
        f"<cuitRepresentada>{company_cuit}</cuitRepresentada><idPersona>{cuit}</idPersona>"
        "</a5:getPersona_v2>"
    )


def _taxes(section: ET.Element | None) -> list[tuple[int, str]]:
    """(idImpuesto, estadoImpuesto) of a section's impuesto rows; "" for a row with no state."""
    taxes = []
    for row in _children(section, "impuesto"):
        tax_id = _text(row, "idImpuesto")
        if tax_id and tax_id.isdigit():
            taxes.append((int(tax_id), (_text(row, "estadoImpuesto") or "").upper()))
    return taxes


def _activities(general: ET.Element | None, simplified: ET.Element | None) -> list[Activity]:
    """Declared activities, main one first (orden), then the monotributo activity."""
    rows = sorted(
        _children(general, "actividad"), key=lambda r: int(_text(r, "orden") or "0") or 99
    )
    rows += _children(simplified, "actividadMonotributista")
    activities = []
    for row in rows:
        code = _text(row, "idActividad") or ""
        description = _text(row, "descripcionActividad") or ""
        if description and all(a.code != code for a in activities):
            activities.append(Activity(code, description))
    return activities


def _section_warnings(persona: ET.Element | None) -> list[str]:
    """errorRegimenGeneral and errorMonotributo as "mensaje: error" lines."""
    warnings = []
    for name in SECTION_ERRORS:
        for block in _children(persona, name):
            errors = [(e.text or "").strip() for e in _children(block, "error")]
            parts = [_text(block, "mensaje"), "; ".join(e for e in errors if e)]
            if text := ": ".join(part for part in parts if part):
                warnings.append(text)
    return warnings


def parse_persona(content: bytes, cuit: str) -> RegistryPerson:
    """A RegistryPerson from getPersona_v2's answer; faults and errorConstancia raise."""
    if (fault := soap_fault(content)) is not None:
        if "no existe persona" in fault.casefold():
            raise PersonNotFound(N_("El CUIT %(cuit)s no figura en el padrón de AFIP."), cuit=cuit)
        raise RegistryUnavailable(N_("AFIP rechazó la consulta: %(detail)s"), detail=fault)
    root = _parse(content)
    persona = _descendant(root, "personaReturn")
    general = _child(persona, "datosGenerales")
    errors = tuple(e.text.strip() for e in _children(_child(persona, "errorConstancia"), "error"))
    if general is None:
        if any("no existe persona" in e.casefold() for e in errors):
            raise PersonNotFound(N_("El CUIT %(cuit)s no figura en el padrón de AFIP."), cuit=cuit)
        raise RegistryUnavailable(
            N_("AFIP rechazó la consulta: %(detail)s"), detail=" ".join(errors) or "?"
        )
    regular = _child(persona, "datosRegimenGeneral")
    simplified = _child(persona, "datosMonotributo")
    category = _text(_child(simplified, "categoriaMonotributo"), "descripcionCategoria")
    taxes = _taxes(regular) + _taxes(simplified)
    address = _child(general, "domicilioFiscal")
    company_name = _text(general, "razonSocial")
    last_name, first_name = _text(general, "apellido"), _text(general, "nombre")
    is_company = company_name is not None or _text(general, "tipoPersona") == "JURIDICA"
    person_name = " ".join(part for part in (last_name, first_name) if part)
    return RegistryPerson(
        cuit=cuit,
        kind="company" if is_company else "person",
        legal_name=company_name or person_name,
        last_name=None if is_company else last_name,
        first_name=None if is_company else first_name,
        street=_text(address, "direccion"),
        city=_text(address, "localidad"),
        province=_text(address, "descripcionProvincia"),
        postal_code=_text(address, "codPostal"),
        key_state=(_text(general, "estadoClave") or "").upper(),
        iva_condition=iva_condition_from_taxes(taxes, category).value,
        active_taxes=tuple(sorted({t for t, s in taxes if tax_is_active(s)})),
        monotributo_category=category,
        activities=tuple(_activities(regular, simplified)),
        warnings=errors + tuple(_section_warnings(persona)),
    )


# --- files shared by the workers -------------------------------------------------------------


def _read_json(path: Path) -> dict | None:
    """A cached JSON file, None when missing or unreadable."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data: dict) -> None:
    """Write atomically: a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle)
        os.chmod(temporary, 0o600)  # the token and sign are credentials
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on a file, across processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- the client ------------------------------------------------------------------------------


class PadronClient:
    """Asks AFIP through `requests`, keeping the WSAA ticket and the answers in files."""

    def __init__(self, settings: PadronSettings, session: requests.Session | None = None):
        self.settings = settings
        self.session = session or requests.Session()

    @property
    def _ticket_path(self) -> Path:
        return self.settings.cache_dir / f"ticket-{SERVICE}-{self.settings.cuit}.json"

    def _person_path(self, cuit: str) -> Path:
        return self.settings.cache_dir / "personas" / f"{cuit}.json"

    def lookup(self, cuit: str) -> RegistryPerson:
        """The registry's data for a compact, valid CUIT (cached for cache_seconds)."""
        cached = _read_json(self._person_path(cuit))
        if cached and time.time() - cached["fetched_at"] < self.settings.cache_seconds:
            return RegistryPerson.from_dict(cached["person"])
        content = self._call_padron(cuit)
        person = parse_persona(content, cuit)
        _write_json(self._person_path(cuit), {"fetched_at": time.time(), "person": asdict(person)})
        return person

    def _call_padron(self, cuit: str) -> bytes:
        """getPersona_v2 with a valid ticket."""
        ticket = self.ticket()
        body = get_persona_request(ticket, self.settings.cuit, cuit)
        return self._post(self.settings.padron_url, body).content

    def ticket(self) -> Ticket:
        """The cached WSAA ticket, or a new one; one worker logs in at a time."""
        now = datetime.now(UTC)
        if (ticket := self._cached_ticket()) and ticket.fresh(now):
            return ticket
        with _locked(self._ticket_path.with_suffix(".lock")):
            if (ticket := self._cached_ticket()) and ticket.fresh(now):
                return ticket  # another worker logged in while this one waited
            ticket = self._login(now)
            _write_json(
                self._ticket_path,
                {"token": ticket.token, "sign": ticket.sign, "expires": ticket.expires.isoformat()},
            )
            return ticket

    def _cached_ticket(self) -> Ticket | None:
        data = _read_json(self._ticket_path)
        if not data:
            return None
        return Ticket(data["token"], data["sign"], datetime.fromisoformat(data["expires"]))

    def _login(self, now: datetime) -> Ticket:
        """LoginCms with a freshly signed TRA."""
        settings = self.settings
        if not (settings.cert_path and settings.key_path and settings.cuit):
            raise NotConfigured(
                N_(
                    "La consulta al padrón no está configurada: faltan el certificado, la clave "
                    "o el CUIT de la empresa."
                )
            )
        try:
            cert_pem = Path(settings.cert_path).read_bytes()
            key_pem = Path(settings.key_path).read_bytes()
            cms = sign_cms(login_ticket_request(SERVICE, now), cert_pem, key_pem)
        except (OSError, ValueError) as exc:
            raise NotConfigured(
                N_("No se pudo leer el certificado o la clave para el padrón de AFIP.")
            ) from exc
        body = envelope(f'<wsaa:loginCms xmlns:wsaa="{WSAA_NS}"><wsaa:in0>{cms}</wsaa:in0>'
                        "</wsaa:loginCms>")  # fmt: skip
        content = self._post(settings.wsaa_url, body).content
        if (fault := soap_fault(content)) is not None:
            raise RegistryUnavailable(
                N_("AFIP no autorizó la consulta (WSAA): %(detail)s"), detail=fault
            )
        return parse_login_response(content)

    def _post(self, url: str, body: bytes) -> requests.Response:
        """POST a SOAP body; retry connection errors and 5xx answers that are not faults."""
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
        for attempt in range(RETRIES + 1):
            if attempt:
                time.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
            try:
                response = self.session.post(
                    url, data=body, headers=headers, timeout=self.settings.timeout
                )
            except requests.ConnectTimeout:
                continue
            except requests.Timeout as exc:
                raise RegistryUnavailable(
                    N_(
                        "El padrón de AFIP no respondió a tiempo. Probá de nuevo o cargá los "
                        "datos a mano."
                    )
                ) from exc
            except requests.ConnectionError:
                continue
            if response.status_code < 500 or soap_fault(response.content) is not None:
                return response
        raise RegistryUnavailable(
            N_("El padrón de AFIP no está disponible en este momento. Probá más tarde o cargá "
               "los datos a mano.")
        )  # fmt: skip


# --- what the views call ---------------------------------------------------------------------


def checked_cuit(text: str) -> str:
    """The compact CUIT (or CUIL, which is one) typed; InvalidCuit with the rule's message."""
    check = validate_tax_id(TaxIdType.CUIT, text or "")
    if not check.valid:
        raise InvalidCuit(check.error)
    return check.compact


def lookup(text: str, client: PadronClient | None = None) -> RegistryPerson:
    """Validate the CUIT, ask the registry (or its cache) and refuse a key that is not active."""
    cuit = checked_cuit(text)
    if client is None:
        with requests.Session() as session:
            person = PadronClient(PadronSettings.from_app(current_app), session).lookup(cuit)
    else:
        person = client.lookup(cuit)
    if person.key_state != ACTIVE_KEY:
        raise InactiveKey(
            N_(
                "El CUIT %(cuit)s figura con la clave %(state)s en el padrón de AFIP: no se "
                "cargaron sus datos."
            ),
            cuit=cuit,
            state=person.key_state or "?",
        )
    return person
