"""Keeping an uploaded Word template from reaching outside the document.

A .docx can name things Word fetches when the file is opened: an attached template on a web
server or a network share (which also tells that server who opened the board paper), linked
pictures, hyperlinks. Every export is built on the template, so whatever it points at would be
in every paper. Templates are checked on upload (a damaged file or XML with a DTD, which Word
never writes, is refused) and every external link is removed from the document built on one.
"""

from __future__ import annotations

import zipfile
import zlib
from io import BytesIO
from typing import Any

from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from lxml import etree

RELATIONSHIPS_NAMESPACE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DAMAGED = (
    "The Word template is damaged ({name} does not match its checksum): "
    "open it in Word, save it again and retry"
)
HAS_DTD = (
    "The Word template contains a document type declaration in {name}, which Word never "
    "writes: open it in Word, save it again as a Word Document (.docx) and retry"
)
# Parsing only: never fetch, never expand entities, never grow a tree without bound.
_STRICT_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


def unsafe_package_reason(data: bytes) -> str | None:
    """Why the zip itself cannot be trusted (bad checksum, a DTD or entities), else None.

    The caller has already checked that it is a zip of a sensible unpacked size.
    """
    with zipfile.ZipFile(BytesIO(data)) as archive:
        for member in archive.infolist():
            try:
                content = archive.read(member)  # checks the CRC as it reads
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
                return DAMAGED.format(name=member.filename)
            if not member.filename.endswith((".xml", ".rels")):
                continue
            try:
                root = etree.fromstring(content, _STRICT_PARSER)
            except etree.XMLSyntaxError:
                return DAMAGED.format(name=member.filename)
            tree = root.getroottree()
            if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
                return HAS_DTD.format(name=member.filename)
    return None


def remove_external_links(word: WordDocument) -> None:
    """Drop every relationship to something outside the document, and what refers to it:
    hyperlinks keep their text, an attached template is forgotten, linked pictures lose the
    link."""
    package = word.part.package
    for part in package.iter_parts():
        _remove_from(part.rels, getattr(part, "element", None))
    _remove_from(package.rels, None)


def _remove_from(rels: Any, element: Any) -> None:
    external = {rel_id for rel_id, rel in rels.items() if rel.is_external}
    if not external:
        return
    if element is not None:
        for node in list(element.iter()):
            _unlink(node, external)
    for rel_id in external:
        del rels[rel_id]


def _unlink(node: Any, external: set[str]) -> None:
    links = [
        name
        for name, value in node.attrib.items()
        if name.startswith(f"{{{RELATIONSHIPS_NAMESPACE}}}") and value in external
    ]
    if not links:
        return
    parent = node.getparent()
    if node.tag == qn("w:hyperlink") and parent is not None:
        # The words stay where they were, without the link.
        position = parent.index(node)
        for child in list(node):
            position += 1
            parent.insert(position, child)
        parent.remove(node)
    elif node.tag == qn("w:attachedTemplate") and parent is not None:
        parent.remove(node)
    else:
        for name in links:
            del node.attrib[name]
