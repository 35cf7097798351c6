"""People and units read from an agency's directory (LDAP or Active Directory).

The directory is one more source of the personnel table the staff import reads
(:mod:`laksana.org.staffimport`): every person entry under the search base becomes one row
with the SIMPEG columns (``NIP``, ``Nama``, ``Jabatan``, ``Unit Kerja``, ``NIP Atasan``,
``Email``, ``Telepon``), and the import checks and applies those rows exactly as it does a
spreadsheet's: all or nothing, every problem named, a re-import updating people by NIP.

Which attribute holds what differs between directories; :data:`OPENLDAP` (``inetOrgPerson``)
and :data:`ACTIVE_DIRECTORY` are the two mappings shipped. The unit is the mapped attribute,
else the entry's nearest ``ou=`` in its DN; the superior is the entry its ``manager`` DN
names, by that entry's NIP. The directory is only read (a simple bind and paged searches);
the password is never written anywhere by Laksana.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

COLUMNS = ("NIP", "Nama", "Jabatan", "Unit Kerja", "NIP Atasan", "Email", "Telepon")


@dataclass(frozen=True)
class Mapping:
    """Which directory attribute holds each column, and which entries are people."""

    nip: str
    name: str
    position: str
    unit: str
    manager: str
    email: str
    phone: str
    people: str

    def attributes(self) -> list[str]:
        return [self.nip, self.name, self.position, self.unit, self.manager, self.email, self.phone]


OPENLDAP = Mapping(
    nip="employeeNumber",
    name="cn",
    position="title",
    unit="ou",
    manager="manager",
    email="mail",
    phone="telephoneNumber",
    people="(objectClass=inetOrgPerson)",
)
ACTIVE_DIRECTORY = Mapping(
    nip="employeeID",
    name="displayName",
    position="title",
    unit="department",
    manager="manager",
    email="mail",
    phone="telephoneNumber",
    people="(&(objectCategory=person)(objectClass=user))",
)
MAPPINGS = {"openldap": OPENLDAP, "ad": ACTIVE_DIRECTORY}


@dataclass(frozen=True)
class Directory:
    """Where and how to read: ``url`` (ldap:// or ldaps://), the search ``base``, the
    account to bind as (empty: anonymous), and whether to upgrade ldap:// with StartTLS."""

    url: str
    base: str
    bind_dn: str = ""
    password: str = ""
    mapping: Mapping = OPENLDAP
    start_tls: bool = False
    timeout: int = 10


class DirectoryError(Exception):
    """The directory could not be read: unreachable, refused the bind, or the base is
    wrong. The message says which, for people."""


@dataclass(frozen=True)
class Entry:
    """One person read: the row in the SIMPEG columns and the entry's DN (to name it)."""

    dn: str
    row: dict[str, str]


def _first(attributes: dict[str, Any], name: str) -> str:
    value = attributes.get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return "" if value is None else str(value).strip()


def _nearest_ou(dn: str) -> str:
    from ldap3.utils.dn import parse_dn

    try:
        parts = parse_dn(dn)
    except Exception:  # a malformed DN has no unit
        return ""
    # The entry's own RDN is first; the nearest organizational unit above it next.
    for attribute, value, _sep in parts[1:]:
        if attribute.lower() == "ou":
            return str(value)
    return ""


def _connect(directory: Directory) -> Any:
    import ldap3
    from ldap3.core import exceptions

    server = ldap3.Server(directory.url, connect_timeout=directory.timeout, get_info=ldap3.NONE)
    try:
        connection = ldap3.Connection(
            server,
            user=directory.bind_dn or None,
            password=directory.password or None,
            receive_timeout=directory.timeout,
            read_only=True,
            raise_exceptions=True,
        )
        connection.open()
        if directory.start_tls:
            connection.start_tls()
        connection.bind()
    except (exceptions.LDAPBindError, exceptions.LDAPInvalidCredentialsResult) as exc:
        raise DirectoryError(
            _("The directory refused the sign-in of %(dn)s: check the account and password.")
            % {"dn": directory.bind_dn or _("(anonymous)")}
        ) from exc
    except exceptions.LDAPException as exc:
        raise DirectoryError(
            _("The directory at %(url)s cannot be reached: %(reason)s")
            % {"url": directory.url, "reason": exc}
        ) from exc
    return connection


def _search(connection: Any, directory: Directory) -> Iterator[tuple[str, dict[str, Any]]]:
    from ldap3 import SUBTREE
    from ldap3.core import exceptions

    try:
        for item in connection.extend.standard.paged_search(
            directory.base,
            # People only, and only those with a NIP: service accounts and contacts without
            # one are not staff to import.
            f"(&{directory.mapping.people}({directory.mapping.nip}=*))",
            search_scope=SUBTREE,
            attributes=[a for a in directory.mapping.attributes() if a],
            paged_size=500,
            generator=True,
        ):
            if item.get("type") == "searchResEntry":
                yield item["dn"], dict(item.get("attributes") or {})
    except exceptions.LDAPNoSuchObjectResult as exc:
        raise DirectoryError(
            _("The search base %(base)s does not exist in the directory.")
            % {"base": directory.base}
        ) from exc
    except exceptions.LDAPException as exc:
        raise DirectoryError(
            _("The directory's search failed: %(reason)s") % {"reason": exc}
        ) from exc


def _manager_nip(connection: Any, dn: str, mapping: Mapping) -> str:
    """The NIP of a manager outside the search base, read by its DN ("" if none)."""
    from ldap3 import BASE
    from ldap3.core import exceptions

    try:
        connection.search(dn, "(objectClass=*)", search_scope=BASE, attributes=[mapping.nip])
    except exceptions.LDAPException:
        return ""
    if not connection.entries:
        return ""
    return _first(connection.response[0].get("attributes") or {}, mapping.nip)


def read(directory: Directory) -> list[Entry]:
    """Every person under the base as a row of the SIMPEG columns, in DN order. Raises
    :class:`DirectoryError` when the directory cannot be read."""
    mapping = directory.mapping
    connection = _connect(directory)
    try:
        found = list(_search(connection, directory))
        nip_of = {dn.lower(): _first(attrs, mapping.nip) for dn, attrs in found}
        entries = []
        for dn, attrs in sorted(found, key=lambda item: item[0].lower()):
            manager = _first(attrs, mapping.manager)
            boss = ""
            if manager:
                known = nip_of.get(manager.lower())
                boss = known if known is not None else _manager_nip(connection, manager, mapping)
            unit = _first(attrs, mapping.unit) if mapping.unit else ""
            row = {
                "NIP": _first(attrs, mapping.nip),
                "Nama": _first(attrs, mapping.name),
                "Jabatan": _first(attrs, mapping.position),
                "Unit Kerja": unit or _nearest_ou(dn),
                "NIP Atasan": boss,
                "Email": _first(attrs, mapping.email),
                "Telepon": _first(attrs, mapping.phone),
            }
            entries.append(Entry(dn=dn, row=row))
        return entries
    finally:
        connection.unbind()
