"""Spreadsheets of clients as an adopting distributor brings them: made here, byte by byte."""

import csv
import io
import random

from stdnum.ar import cuit

from app.clients.transfer_rules import CLIENT_COLUMNS

HEADER = [column.header for column in CLIENT_COLUMNS]
SHOPS = ("Almacén", "Kiosco", "Autoservicio", "Despensa", "Maxikiosco", "Forrajería", "Librería")
NAMES = ("Don José", "La Esquina", "El Sol", "Ñandú", "Los Álamos", "San Cayetano", "Mi Barrio")
STREETS = ("Av. San Martín", "Belgrano", "Rivadavia", "Mitre", "Sarmiento", "Güemes", "Moreno")
CITIES = (("Morón", "1708"), ("Haedo", "1706"), ("Ituzaingó", "1714"), ("Castelar", "1712"))
DAYS = ("lun", "mar", "mié", "jue", "vie", "sáb")


def valid_cuit(n: int) -> str:
    """A company CUIT of its own for each number, written with dashes."""
    body = f"30{70_000_000 + n:08d}"
    number = body + cuit.calc_check_digit(body)
    return f"{number[:2]}-{number[2:10]}-{number[10]}"


def sample_rows(count: int, seed: int = 7, start: int = 1, **fixed) -> list[dict]:
    """Realistic clients, one dict per row keyed by the template's headers."""
    pick = random.Random(seed)
    rows = []
    for n in range(start, start + count):
        city, postal = pick.choice(CITIES)
        shop = f"{pick.choice(SHOPS)} {pick.choice(NAMES)}"
        row = {
            "codigo": f"IMP{n:06d}",
            "razon_social": f"{shop} {n} S.R.L.",
            "nombre_fantasia": f"{shop} {n}",
            "tipo_documento": "CUIT",
            "numero_documento": valid_cuit(n),
            "condicion_iva": "Responsable Inscripto",
            "estado": "Activo",
            "email": f"compras{n}@ejemplo.com.ar",
            "telefono": f"011 4{n % 1000:03d}-{n % 10000:04d}",
            "direccion": f"{pick.choice(STREETS)} {pick.randint(1, 4000)}",
            "localidad": city,
            "provincia": "Buenos Aires",
            "codigo_postal": postal,
            "latitud": f"-34,{pick.randint(600000, 699999)}",
            "longitud": f"-58,{pick.randint(500000, 699999)}",
            "contacto_nombre": f"Encargado {n}",
            "contacto_telefono": f"11 5{n % 1000:03d}-0000",
            "dias_visita": ", ".join(sorted(pick.sample(DAYS, 2), key=DAYS.index)),
            "frecuencia_visita": pick.choice(("1", "2", "4")),
            "horario_visita": "08:30-12:00",
            "orden_ruta": str(n % 9999 + 1),
        }
        rows.append(row | fixed)
    return rows


def columns_of(rows: list[dict]) -> list[str]:
    """Every key of the rows, in the order they first appear (the template's without rows)."""
    return list(dict.fromkeys(key for row in rows for key in row)) or HEADER


def csv_bytes(rows: list[dict], encoding="utf-8-sig", delimiter=";", header=None) -> bytes:
    """The rows as a CSV: header first, then each row in the header's order."""
    header = header or columns_of(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict], header=None, edit=None) -> bytes:
    """The rows as an XLSX workbook; `edit(sheet)` may change it before saving."""
    from openpyxl import Workbook

    header = header or columns_of(rows)
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(name, "") for name in header])
    if edit:
        edit(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_rows(path, count: int, fmt: str) -> None:
    """A file of `count` generated clients, streamed to disk (the benchmark's)."""
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
            writer.writerow(HEADER)
            for start in range(1, count + 1, 1000):
                for row in sample_rows(min(1000, count + 1 - start), seed=start, start=start):
                    writer.writerow([row.get(name, "") for name in HEADER])
        return
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("clientes")
    sheet.append(HEADER)
    for start in range(1, count + 1, 1000):
        for row in sample_rows(min(1000, count + 1 - start), seed=start, start=start):
            sheet.append([row.get(name, "") for name in HEADER])
    book.save(path)
