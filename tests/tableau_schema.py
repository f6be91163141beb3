"""Tableau's workbook XSD (tableau/twb_2026.2.0.xsd in the team's shared folder beside the
clone: read here only, to skip cleanly when it is absent), compiled
with lxml. The XSD imports the `user` and `xml` namespaces without a schemaLocation; as its
PROVENANCE.md says, they get small permissive stub schemas, in memory and in a temporary
folder only (the shared file is read, never changed)."""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import ROOT

XSD = ROOT.parent / "shared" / "tableau" / "twb_2026.2.0.xsd"
XS = "http://www.w3.org/2001/XMLSchema"
USER_NS = "http://www.tableausoftware.com/xml/user"
XML_NS = "http://www.w3.org/XML/1998/namespace"

USER_STUB = f"""<xs:schema xmlns:xs="{XS}" targetNamespace="{USER_NS}">
  <xs:attributeGroup name="UserAttributes-AG">
    <xs:anyAttribute namespace="{USER_NS}" processContents="lax"/>
  </xs:attributeGroup>
</xs:schema>"""
XML_STUB = f"""<xs:schema xmlns:xs="{XS}" targetNamespace="{XML_NS}">
  <xs:attribute name="base" type="xs:anyURI"/>
  <xs:attribute name="lang" type="xs:language"/>
  <xs:attribute name="space" type="xs:NCName"/>
  <xs:attribute name="id" type="xs:ID"/>
</xs:schema>"""


@cache
def workbook_schema():
    """The compiled schema, or a pytest skip naming what is missing."""
    etree = pytest.importorskip("lxml.etree", reason="lxml is in requirements.txt: rebuild .venv")
    if not XSD.is_file():
        pytest.skip(f"Tableau's workbook schema is not at {XSD} (the shared folder beside the clone)")
    folder = Path(tempfile.mkdtemp(prefix="hub-twb-xsd-"))
    (folder / "user.xsd").write_text(USER_STUB, encoding="utf-8")
    (folder / "xml.xsd").write_text(XML_STUB, encoding="utf-8")
    doc = etree.parse(str(XSD))
    for imp in doc.getroot().findall(f"{{{XS}}}import"):
        stub = {USER_NS: "user.xsd", XML_NS: "xml.xsd"}.get(imp.get("namespace"))
        if stub:
            imp.set("schemaLocation", (folder / stub).as_uri())
    try:
        return etree.XMLSchema(doc)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the stubs are read while compiling


def validation_errors(twb: bytes) -> list[str]:
    from lxml import etree

    schema = workbook_schema()
    doc = etree.fromstring(twb)
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
