"""A local stand-in for AFIP: WSAA's LoginCms and ws_sr_constancia_inscripcion's getPersona_v2.

A small WSGI app for the tests (started with werkzeug's make_server) and for demos
(`flask --debug fake-registry --port 8085`: the command exists only in debug and test apps).
LoginCms checks that the CMS parses and is signed by the certificate it was given, so a broken
signature fails; the registry answers the CUITs in PEOPLE with payloads shaped like AFIP's,
including a fault, an inactive key, a slow answer and a server error. Tax rows come in both
shapes AFIP sends: with estadoImpuesto, and (as in recorded A5 answers) without one, listing
the taxes the person is registered in.
"""

import base64
import contextlib
import hashlib
import secrets
import threading
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import click
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.wrappers import Request, Response

from app.taxes.padron import ARGENTINA, PADRON_NS, SERVICE, WSAA_NS, envelope

WSAA_PATH = "/ws/services/LoginCms"
PADRON_PATH = "/sr-padron/webservices/personaServiceA5"

# The CUITs the fake registry knows, by what they are for.
REGISTERED = "30712345671"  # a company, Responsable Inscripto
REGISTERED_WITHOUT_STATES = "20254789632"  # a person, Responsable Inscripto, rows with no state
MONOTRIBUTO = "27312345671"  # a person in the Régimen Simplificado
EXEMPT = "30709876542"  # a civil association, IVA exento
FINAL_CONSUMER = "20284567898"  # a person with no IVA registration
UNKNOWN = "20999999999"  # "No existe persona con ese Id"
INACTIVE = "33699999992"  # estadoClave INACTIVO
SLOW = "30500000003"  # answers after `slow_seconds`
BROKEN = "20123456786"  # always a 500 with an HTML page, as a failing proxy would send


# --- certificates and CMS --------------------------------------------------------------------


def make_certificate(directory: Path, cuit: str = "20111111112") -> tuple[Path, Path]:
    """A throwaway self-signed certificate and RSA key, as AFIP's look (CUIT in serialNumber)."""
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "clientes-en-ruta-prueba"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"CUIT {cuit}"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "afip.crt", directory / "afip.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


class InvalidCms(ValueError):
    """The CMS does not parse, or is not signed by the expected certificate."""


def _tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """One DER element at pos: (tag, start of its value, end of its value)."""
    if pos + 2 > len(data):
        raise InvalidCms("truncated")
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        size = length & 0x7F
        if size == 0 or size > 4 or pos + size > len(data):
            raise InvalidCms("bad length")
        length = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    if pos + length > len(data):
        raise InvalidCms("truncated")
    return tag, pos, pos + length


def _elements(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """The elements inside a constructed value: (tag, header start, value start, value end)."""
    found, pos = [], start
    while pos < end:
        tag, value_start, value_end = _tlv(data, pos)
        found.append((tag, pos, value_start, value_end))
        pos = value_end
    return found


MESSAGE_DIGEST_OID = bytes.fromhex("06092a864886f70d010904")  # 1.2.840.113549.1.9.4


def verify_cms(der: bytes, certificate: x509.Certificate) -> bytes:
    """The signed content of a CMS SignedData (content included, SHA-256, RSA), once verified.

    Checks the signature over the signed attributes with the certificate's key and that their
    messageDigest is the content's hash: what WSAA checks before reading the TRA.
    """
    try:
        _, start, end = _tlv(der, 0)  # ContentInfo: contentType, [0] EXPLICIT content
        explicit = _elements(der, start, end)[1]
        signed_data = _elements(der, explicit[2], explicit[3])[0]
        # SignedData: version, digestAlgorithms, encapContentInfo, [0] certificates, signerInfos
        items = _elements(der, signed_data[2], signed_data[3])
        encapsulated = _elements(der, items[2][2], items[2][3])[1]  # [0] EXPLICIT eContent
        octets = _elements(der, encapsulated[2], encapsulated[3])[0]
        if octets[0] != 0x04:
            raise InvalidCms("the content is not a plain OCTET STRING")
        content = der[octets[2] : octets[3]]
        signer_infos = items[-1]
        signer = _elements(der, signer_infos[2], signer_infos[3])[0]
        fields = _elements(der, signer[2], signer[3])
        attributes = next(f for f in fields if f[0] == 0xA0)  # [0] IMPLICIT signedAttrs
        signature = fields[-1]
    except (IndexError, StopIteration, InvalidCms) as exc:
        raise InvalidCms("not a CMS SignedData with signed attributes") from exc
    signed_attributes = b"\x31" + der[attributes[1] + 1 : attributes[3]]  # [0] IMPLICIT -> SET
    try:
        certificate.public_key().verify(
            der[signature[2] : signature[3]],
            signed_attributes,
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature as exc:
        raise InvalidCms("the signature does not match the certificate") from exc
    at = signed_attributes.find(MESSAGE_DIGEST_OID)
    if at < 0:
        raise InvalidCms("no messageDigest attribute")
    _, set_start, _ = _tlv(signed_attributes, at + len(MESSAGE_DIGEST_OID))
    _, digest_start, digest_end = _tlv(signed_attributes, set_start)
    if signed_attributes[digest_start:digest_end] != hashlib.sha256(content).digest():
        raise InvalidCms("the content does not match its digest")
    return content


# --- payloads --------------------------------------------------------------------------------


def _xml(tag: str, value) -> str:
    return f"<{tag}>{escape(str(value))}</{tag}>"


def _address(street: str, city: str, province: str, province_id: int, postal_code: str) -> str:
    return (
        "<domicilioFiscal>"
        + _xml("codPostal", postal_code)
        + _xml("descripcionProvincia", province)
        + _xml("direccion", street)
        + _xml("idProvincia", province_id)
        + _xml("localidad", city)
        + _xml("tipoDomicilio", "FISCAL")
        + "</domicilioFiscal>"
    )


def _general(cuit: str, kind: str, names: dict, address: str, key_state: str = "ACTIVO") -> str:
    fields = "".join(_xml(tag, value) for tag, value in names.items())
    return (
        "<datosGenerales>"
        + fields
        + address
        + _xml("esSucesion", "NO")
        + _xml("estadoClave", key_state)
        + _xml("idPersona", cuit)
        + _xml("mesCierre", 12)
        + _xml("tipoClave", "CUIT")
        + _xml("tipoPersona", kind)
        + "</datosGenerales>"
    )


def _tax(tax_id: int, description: str, state: str | None = "AC") -> str:
    """An impuesto row; state None leaves out estadoImpuesto and motivo, as A5 answers may."""
    return (
        "<impuesto>"
        + _xml("descripcionImpuesto", description)
        + (_xml("estadoImpuesto", state) if state else "")
        + _xml("idImpuesto", tax_id)
        + (_xml("motivo", "DJ") if state else "")
        + _xml("periodo", 201901)
        + "</impuesto>"
    )


def _error(section: str, message: str, *errors: str) -> str:
    """An errorMonotributo or errorRegimenGeneral block: why that section was left out."""
    return (
        f"<{section}>"
        + "".join(_xml("error", e) for e in errors)
        + _xml("mensaje", message)
        + f"</{section}>"
    )


def _activity(code: str, description: str, order: int, tag: str = "actividad") -> str:
    return (
        f"<{tag}>"
        + _xml("descripcionActividad", description)
        + _xml("idActividad", code)
        + _xml("nomenclador", 883)
        + _xml("orden", order)
        + _xml("periodo", 201901)
        + f"</{tag}>"
    )


def _persona(cuit: str, *sections: str) -> str:
    metadata = "<metadata><fechaHora>2024-05-02T10:00:00-03:00</fechaHora>"
    metadata += "<servidor>fake</servidor></metadata>"
    return (
        f'<ns2:getPersona_v2Response xmlns:ns2="{PADRON_NS}"><personaReturn>'
        + "".join(sections)
        + metadata
        + "</personaReturn></ns2:getPersona_v2Response>"
    )


def _company(cuit: str, name: str, key_state: str = "ACTIVO") -> str:
    return _general(
        cuit,
        "JURIDICA",
        {"razonSocial": name},
        _address(
            "AV CORRIENTES 1234 Piso:3 Dpto:B",
            "CIUDAD AUTONOMA BUENOS AIRES",
            "CIUDAD AUTONOMA BUENOS AIRES",
            0,
            "1043",
        ),
        key_state,
    )


PEOPLE: dict[str, str] = {
    REGISTERED: _persona(
        REGISTERED,
        _company(REGISTERED, "DISTRIBUIDORA EL SOL S.A."),
        "<datosRegimenGeneral>"
        + _activity("463121", "VENTA AL POR MAYOR DE PRODUCTOS LACTEOS", 1)
        + _activity("464991", "VENTA AL POR MAYOR DE ARTICULOS DE LIMPIEZA", 2)
        + _tax(10, "GANANCIAS SOCIEDADES")
        + _tax(20, "MONOTRIBUTO", "BD")
        + _tax(30, "IVA")
        + _tax(301, "EMPLEADOR-APORTES SEG. SOCIAL")
        + "</datosRegimenGeneral>",
    ),
    MONOTRIBUTO: _persona(
        MONOTRIBUTO,
        _general(
            MONOTRIBUTO,
            "FISICA",
            {"apellido": "GOMEZ", "nombre": "MARIA JOSE"},
            _address("SAN MARTIN 455", "LOMAS DE ZAMORA", "BUENOS AIRES", 1, "1832"),
        ),
        "<datosMonotributo>"
        + _activity(
            "472130", "VENTA AL POR MENOR DE FIAMBRES Y EMBUTIDOS", 1, "actividadMonotributista"
        )
        + "<categoriaMonotributo><descripcionCategoria>D LOCACIONES DE SERVICIO"
        "</descripcionCategoria><idCategoria>13</idCategoria><idImpuesto>20</idImpuesto>"
        "<periodo>202402</periodo></categoriaMonotributo>"
        + _tax(20, "MONOTRIBUTO")
        + _tax(21, "MONOTRIBUTO AUTONOMO")
        + "</datosMonotributo>",
        _error(
            "errorRegimenGeneral",
            "No cumple con las condiciones para enviar datos del régimen general",
            "No registra impuestos activos en el régimen general",
        ),
    ),
    REGISTERED_WITHOUT_STATES: _persona(
        REGISTERED_WITHOUT_STATES,
        _general(
            REGISTERED_WITHOUT_STATES,
            "FISICA",
            {"apellido": "FERREYRA", "nombre": "RAUL ALBERTO"},
            _address("GODOY CRUZ 1520", "MENDOZA", "MENDOZA", 7, "5500"),
        ),
        "<datosRegimenGeneral>"
        + _activity("463212", "VENTA AL POR MAYOR DE BEBIDAS NO ALCOHOLICAS", 2)
        + _activity("471900", "VENTA AL POR MENOR EN KIOSCOS, POLIRRUBROS Y COMERCIOS", 1)
        + _tax(11, "GANANCIAS PERSONAS FISICAS", None)
        + _tax(30, "IVA", None)
        + _tax(936, "DACIÓN EN PAGO DE ESP.PUBLICI.", None)
        + "</datosRegimenGeneral>",
        _error(
            "errorMonotributo",
            "No cumple con las condiciones para enviar datos monotributo",
            "Datos de monotributo incompletos- no posee categoría",
        ),
    ),
    EXEMPT: _persona(
        EXEMPT,
        _general(
            EXEMPT,
            "JURIDICA",
            {"razonSocial": "ASOCIACION CIVIL CLUB ATLETICO VILLA DEL PARQUE"},
            _address("CUENCA 3200", "CORDOBA", "CORDOBA", 3, "5000"),
        ),
        "<datosRegimenGeneral>"
        + _activity("931010", "SERVICIOS DE ORGANIZACION DE EVENTOS DEPORTIVOS", 1)
        + _tax(10, "GANANCIAS SOCIEDADES", "EX")
        + _tax(32, "IVA EXENTO")
        + "</datosRegimenGeneral>",
    ),
    FINAL_CONSUMER: _persona(
        FINAL_CONSUMER,
        _general(
            FINAL_CONSUMER,
            "FISICA",
            {"apellido": "PEREZ", "nombre": "JUAN CARLOS"},
            _address("BELGRANO 88", "ROSARIO", "SANTA FE", 12, "2000"),
        ),
        "<errorConstancia><apellido>PEREZ</apellido><error>El contribuyente cuenta con "
        "impuestos con baja de oficio por Decreto 1299/98</error><idPersona>"
        + FINAL_CONSUMER
        + "</idPersona><nombre>JUAN CARLOS</nombre></errorConstancia>",
    ),
    INACTIVE: _persona(
        INACTIVE,
        _company(INACTIVE, "COMERCIAL LA QUEBRADA S.R.L.", key_state="INACTIVO"),
        "<datosRegimenGeneral>" + _tax(30, "IVA", "BD") + "</datosRegimenGeneral>",
    ),
}
PEOPLE[SLOW] = PEOPLE[REGISTERED].replace(REGISTERED, SLOW)


def _fault(message: str, code: str = "soap:Server") -> bytes:
    return envelope(
        f"<soapenv:Fault><faultcode>{code}</faultcode>"
        f"<faultstring>{escape(message)}</faultstring></soapenv:Fault>"
    )


# --- the server ------------------------------------------------------------------------------


class FakeRegistry:
    """The WSGI app: counts calls so tests can see what was asked."""

    def __init__(self, certificate_pem: bytes, slow_seconds: float = 2.0):
        self.certificate = x509.load_pem_x509_certificate(certificate_pem)
        self.slow_seconds = slow_seconds
        self.tickets: dict[str, str] = {}  # token -> sign
        self.calls: dict[str, int] = {"wsaa": 0, "padron": 0}
        self.asked: list[str] = []  # idPersona of every getPersona_v2
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.method != "POST":
            response = Response("POST only", status=405)
        elif request.path == WSAA_PATH:
            response = self.login_cms(request.get_data())
        elif request.path == PADRON_PATH:
            response = self.get_persona(request.get_data())
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    def _count(self, what: str) -> None:
        with self._lock:
            self.calls[what] += 1

    def login_cms(self, body: bytes) -> Response:
        """LoginCms: verify the CMS, read the TRA, hand out a ticket for twelve hours."""
        self._count("wsaa")
        try:
            cms = _find(ET.fromstring(body), "in0")
            tra = ET.fromstring(verify_cms(base64.b64decode(cms, validate=True), self.certificate))
        except (ET.ParseError, ValueError, TypeError) as exc:
            return _soap(_fault(f"cms.bad: {exc}", "ns1:cms.bad"), 500)
        if _find(tra, "service") != SERVICE:
            return _soap(_fault("El servicio no existe", "ns1:coe.notAuthorized"), 500)
        token, sign = secrets.token_urlsafe(32), secrets.token_urlsafe(16)
        with self._lock:
            self.tickets[token] = sign
        now = datetime.now(ARGENTINA)
        ticket = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<loginTicketResponse version="1.0"><header>'
            "<source>CN=wsaahomo, O=AFIP, C=AR, SERIALNUMBER=CUIT 33693450239</source>"
            "<destination>CN=clientes-en-ruta-prueba</destination>"
            f"<uniqueId>{secrets.randbelow(2**31)}</uniqueId>"
            f"<generationTime>{now.isoformat()}</generationTime>"
            f"<expirationTime>{(now + timedelta(hours=12)).isoformat()}</expirationTime>"
            f"</header><credentials><token>{token}</token><sign>{sign}</sign></credentials>"
            "</loginTicketResponse>"
        )
        return _soap(
            envelope(
                f'<loginCmsResponse xmlns="{WSAA_NS}">'
                f"<loginCmsReturn>{escape(ticket)}</loginCmsReturn></loginCmsResponse>"
            )
        )

    def get_persona(self, body: bytes) -> Response:
        """getPersona_v2: check the ticket, then answer as AFIP would for each known CUIT."""
        self._count("padron")
        try:
            request = ET.fromstring(body)
        except ET.ParseError:
            return _soap(_fault("Unmarshalling Error"), 500)
        token, sign = _find(request, "token"), _find(request, "sign")
        cuit = _find(request, "idPersona") or ""
        with self._lock:
            self.asked.append(cuit)
            known = self.tickets.get(token or "") == sign
        if not known:
            return _soap(_fault("Firma inválida o algoritmo no soportado"), 500)
        if not (_find(request, "cuitRepresentada") or "").isdigit():
            return _soap(_fault("cuitRepresentada es obligatorio"), 500)
        if cuit == BROKEN:
            return Response("<html><body>502 Proxy Error</body></html>", 500, mimetype="text/html")
        if cuit == SLOW:
            time.sleep(self.slow_seconds)
        if cuit not in PEOPLE:
            return _soap(_fault("No existe persona con ese Id"), 500)
        return _soap(envelope(PEOPLE[cuit]))


def _find(element: ET.Element, name: str) -> str | None:
    """Text of the first element with this local name."""
    for child in element.iter():
        if child.tag.rsplit("}", 1)[-1] == name:
            return (child.text or "").strip()
    return None


def _soap(content: bytes, status: int = 200) -> Response:
    return Response(content, status, content_type="text/xml; charset=utf-8")


@click.command("fake-registry")
@click.option("--port", default=8085, show_default=True, help="Port on 127.0.0.1.")
@click.option("--slow-seconds", default=15.0, show_default=True, help="Delay of the slow CUIT.")
@with_appcontext
def fake_registry_command(port: int, slow_seconds: float) -> None:
    """Serve a fake AFIP (WSAA and padrón) on 127.0.0.1 for demos; never for production."""
    from werkzeug.serving import make_server

    directory = Path(current_app.instance_path) / "afip-demo"
    cert_path, key_path = directory / "afip.crt", directory / "afip.key"
    if not (cert_path.exists() and key_path.exists()):
        cert_path, key_path = make_certificate(directory)
    base = f"http://127.0.0.1:{port}"
    click.echo("Fake AFIP registry. Start the app with these settings:")
    click.echo(f"  AFIP_WSAA_URL={base}{WSAA_PATH}")
    click.echo(f"  AFIP_PADRON_URL={base}{PADRON_PATH}")
    click.echo(f"  AFIP_CERT_PATH={cert_path}")
    click.echo(f"  AFIP_KEY_PATH={key_path}")
    click.echo("  AFIP_CUIT=20111111112")
    click.echo("CUITs it knows:")
    for label, cuit in (("Responsable Inscripto", REGISTERED),
                        ("Responsable Inscripto, impuestos sin estado", REGISTERED_WITHOUT_STATES),
                        ("Monotributo", MONOTRIBUTO),
                        ("Exento", EXEMPT), ("Consumidor Final", FINAL_CONSUMER),
                        ("inexistente", UNKNOWN), ("clave inactiva", INACTIVE),
                        ("lento", SLOW), ("error 500", BROKEN)):  # fmt: skip
        click.echo(f"  {cuit}  {label}")
    server = make_server("127.0.0.1", port, FakeRegistry(cert_path.read_bytes(), slow_seconds))
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
