"""Reading every output back as text, for the tests that search them for what must not be there.

Files are opened the way their formats are meant to be read: XLSX as the zip of XML it is
(shared strings and the sheets' inline strings), DOCX with python-docx (paragraphs, tables,
headers and footers), PDF with pypdf. The raw XML goes along too, so nothing hides in a part
the reader does not look at. A helper module, not a test module: test modules import it.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from itertools import product
from xml.etree import ElementTree

import docx
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from sqlalchemy import select

from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.exports.views import REPORT_FILES
from consult.extensions import db
from consult.moderation.models import Contribution
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import Stance

XLSX_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

#: Public GET endpoints whose address holds a secret (a token, a join code): they show a
#: person their own things, never published input, so the walk cannot and need not visit them.
NEEDS_A_SECRET = {
    "accounts.confirm_email",
    "accounts.reset_password",
    "responses.open_link",
    "participate.speak",
    "participate.review_record",
}


@dataclass
class Output:
    endpoint: str
    url: str
    status: int
    #: Everything it says, case folded: markers are searched for whatever their case.
    text: str

    @property
    def squeezed(self) -> str:
        """The text without any white space: "22 33 44 55" and a PDF's wrapped lines alike."""
        return "".join(self.text.split())


def says(output: Output, marker: str) -> bool:
    """Whether ``output`` holds ``marker`` (any case, any spacing)."""
    marker = marker.casefold()
    return marker in output.text or "".join(marker.split()) in output.squeezed


def xlsx_text(data: bytes) -> list[str]:
    """Every string in a workbook: its shared strings and the sheets' inline strings."""
    strings = []
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for name in book.namelist():
            if name == "xl/sharedStrings.xml" or name.startswith("xl/worksheets/sheet"):
                root = ElementTree.fromstring(book.read(name))  # noqa: S314 - our own file
                strings += [t.text or "" for t in root.iter(f"{XLSX_MAIN}t")]
    return strings


def docx_text(data: bytes) -> list[str]:
    """Every paragraph of a Word document: body, tables, headers and footers."""
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        texts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    texts += [document.core_properties.title or "", document.core_properties.subject or ""]
    return texts


def pdf_text(data: bytes) -> list[str]:
    """Every page's text of a PDF, and its metadata."""
    reader = PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages] + [
        str(v) for v in (reader.metadata or {}).values()
    ]


def file_text(data: bytes, kind: str) -> str:
    """All the text a file holds, read as its format is read; ``kind`` is its extension."""
    parts = []
    if kind == "pdf" or data.startswith(b"%PDF"):
        parts.append(data.decode("latin-1"))  # an uncompressed PDF (a letter) reads as it is
        try:
            parts += pdf_text(data)
        except PdfReadError:
            pass  # not every %PDF file is a whole PDF: the tests' letters are a few lines
    elif data.startswith(b"PK"):
        if kind == "xlsx":
            parts += xlsx_text(data)
        elif kind == "docx":
            parts += docx_text(data)
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            xml = [package.read(n).decode("utf-8") for n in package.namelist() if ".xml" in n]
        parts += xml + [re.sub(r"<[^>]+>", "", part) for part in xml]
    else:
        parts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(parts)


def readable(response) -> str:
    """Return all the text an HTTP response carries: its headers and its body, in any format."""
    kind = {
        "application/pdf": "pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    }.get(response.mimetype, "")
    return str(response.headers) + "\n" + file_text(response.get_data(), kind)


def fetch(client, url: str, endpoint: str = "", lang: str | None = None) -> Output:
    """GET ``url`` (in ``lang``, when given) and read all of the answer."""
    if lang:
        url = f"{url}{'&' if '?' in url else '?'}lang={lang}"
    response = client.get(url)
    try:
        return Output(endpoint, url, response.status_code, readable(response).casefold())
    finally:
        response.close()


def public_get_rules(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if "GET" in rule.methods and hasattr(view, "access") and view.access is None:
            yield rule


def public_urls(app, consultation, *, variants: bool = True) -> list[tuple[str, str]]:
    """Every public GET address of the consultation, found in the URL map, with each filter."""
    c = consultation
    tree = load_tree(current_version(c))
    types = db.session.scalars(
        select(Respondent.respondent_type_id)
        .join(Response, Response.respondent_id == Respondent.id)
        .where(Response.consultation_id == c.id)
        .distinct()
    ).all()
    values = {
        "slug": [c.slug],
        "key": list(tree.by_key),
        # Every response and contribution, public or not: an address is easy to guess.
        "response_id": db.session.scalars(
            select(Response.id).where(Response.consultation_id == c.id)
        ).all(),
        "contribution_id": db.session.scalars(
            select(Contribution.id).where(Contribution.consultation_id == c.id)
        ).all(),
        "kind": sorted({kind for kind, _fmt in REPORT_FILES}),
        "fmt": sorted({fmt for _kind, fmt in REPORT_FILES}),
        "path": ["consultations/nope"],
    }
    commentable = {node.key for node in tree.commentable()}
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in public_get_rules(app):
        if rule.endpoint in NEEDS_A_SECRET:
            continue
        names = sorted(rule.arguments)
        missing = set(names) - set(values)
        assert not missing, f"{rule.endpoint} takes {missing}: tell this test what to try"
        for combo in product(*(values[name] for name in names)):
            args = dict(zip(names, combo, strict=True))
            url = adapter.build(rule.endpoint, args, method="GET")
            urls.append((rule.endpoint, url))
            if not variants:
                continue
            if rule.endpoint == "published.list_inputs" and args["key"] in commentable:
                urls += [(rule.endpoint, f"{url}?stance={s.value}") for s in Stance]
                urls += [(rule.endpoint, f"{url}?type={t}") for t in types]
                urls += [(rule.endpoint, f"{url}?page=2")]
            elif url.endswith(".csv"):
                urls.append((rule.endpoint, f"{url}?delimiter=comma"))
    return urls


def api_pages(client, slug: str, lang: str = "da", headers=None) -> list[Output]:
    """The API's input, two to a page, following the pages to the end."""
    outputs, page, pages = [], 1, 1
    while page <= pages:
        url = f"/api/v1/consultations/{slug}/inputs?per_page=2&page={page}&lang={lang}"
        response = client.get(url, headers=headers or {})
        assert response.status_code == 200, (url, response.status_code)
        pages = response.get_json()["pages"]
        text = readable(response).casefold()
        outputs.append(Output("api.list_inputs", url, response.status_code, text))
        page += 1
    return outputs


def read_public(app, consultation) -> list[Output]:
    """Fetch every public output as an anonymous visitor, in Danish and in English."""
    outputs = []
    for lang in ("da", "en"):
        client = app.test_client()  # a fresh visitor: ?lang= sticks to the session
        # The filters work the same in either language: once is enough.
        urls = public_urls(app, consultation, variants=lang == "da")
        outputs += [fetch(client, url, endpoint, lang) for endpoint, url in urls]
        outputs += api_pages(client, consultation.slug, lang)
    return outputs


def found(outputs: list[Output], url_part: str) -> list[Output]:
    matching = [o for o in outputs if url_part in o.url]
    assert matching, f"nothing fetched at {url_part}"
    return matching


def assert_holds(outputs: list[Output], url_part: str, *markers: str) -> None:
    for output in found(outputs, url_part):
        assert output.status == 200, (output.url, output.status)
        missing = [m for m in markers if not says(output, m)]
        assert not missing, f"{output.url} lacks {missing}"
