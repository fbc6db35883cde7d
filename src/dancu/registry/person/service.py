"""Use cases that change resident records (Law on Identification 26/2023/QH15, Art. 9-10).

Every change writes a new version with who, when, why and the old and new values; nothing is
overwritten. Changing sex, birth year or place of birth registration cancels the ID number and
re-establishes a new one (Circular 59/2021/TT-BCA Art. 6), keeping the old one linked.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dancu.adminunit import service as adminunit
from dancu.audit.service import record
from dancu.auth.principal import Principal
from dancu.idnumber import IdNumber
from dancu.idnumber import service as idnumbers
from dancu.kit.clock import now, today
from dancu.kit.errors import FieldError, NotFound
from dancu.kit.partial_date import PartialDate
from dancu.kit.text import fold
from dancu.registry import events
from dancu.registry.household import service as households
from dancu.registry.person import repository
from dancu.registry.person.errors import PersonNotFound, PersonRuleViolation, StaleVersion
from dancu.registry.person.models import OldIdNumber, Person, PersonVersion
from dancu.registry.person.schemas import PersonCreate, PersonUpdate, ResidenceIn
from dancu.registry.residence import service as residences
from dancu.registry.residence.service import NewResidence

_META = {"reason", "legal_reference"}
_CREATE_ONLY = {
    "permanent_residence",
    "temporary_residence",
    "temporary_residence_until",
    "current_residence",
}


def find(session: Session, id_number: str | IdNumber) -> Person:
    """The person holding ``id_number``, also when it is a cancelled number they once held."""
    number = id_number if isinstance(id_number, IdNumber) else IdNumber.parse(id_number)
    person = repository.by_id_number(session, number)
    if person is None:
        try:
            current: IdNumber | None = idnumbers.current_number(session, number)
        except NotFound:  # the number was never allocated
            current = None
        if current is not None and str(current) != str(number):
            person = repository.by_id_number(session, current)
    if person is None:
        raise PersonNotFound(f"no resident has the ID number {number}")
    return person


def _check_codes(fields: dict[str, Any]) -> None:
    errors: list[FieldError] = []
    checks = (
        ("ethnicity_code", adminunit.ensure_ethnicity),
        ("religion_code", adminunit.ensure_religion),
        ("nationality_code", adminunit.ensure_nationality),
    )
    for name, ensure in checks:
        if fields.get(name) is not None:
            try:
                ensure(fields[name])
            except Exception as exc:  # the adminunit error carries the clerk's message
                errors.append(FieldError(("body", name), str(exc)))
    for i, relation in enumerate(fields.get("relations") or []):
        if relation.get("id_number"):
            try:
                IdNumber.parse(relation["id_number"])
            except Exception as exc:
                errors.append(FieldError(("body", "relations", i, "id_number"), str(exc)))
    if errors:
        raise PersonRuleViolation("; ".join(f"{e.loc[-1]}: {e.msg}" for e in errors), errors=errors)


def _check_birth(fields: dict[str, Any]) -> PartialDate:
    birth = PartialDate.parse(fields["birth_date"])
    if birth.earliest() > today():
        raise PersonRuleViolation(
            "the birth date is in the future",
            errors=[FieldError(("body", "birth_date"), "is in the future")],
        )
    death = fields.get("death_date")
    if death and PartialDate.parse(death).latest() < birth.earliest():
        raise PersonRuleViolation(
            "the date of death is before the birth date",
            errors=[FieldError(("body", "death_date"), "is before the birth date")],
        )
    return birth


def _apply(person: Person, snapshot: dict[str, Any]) -> None:
    birth = PartialDate.parse(snapshot["birth_date"])
    person.full_name = snapshot["full_name"]
    person.name_key = f" {fold(snapshot['full_name'])} "
    person.birth_year, person.birth_month, person.birth_day = birth.year, birth.month, birth.day
    person.sex = snapshot["sex"]
    person.phone = snapshot.get("phone")
    person.status = (
        (snapshot.get("death_kind") or "dead") if snapshot.get("death_date") else "alive"
    )
    person.data = compact(snapshot)
    person.updated_at = now()


def compact(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The stored form of a record: unknown (null) and empty items are left out, as reads fill
    them in; at 100 million records every byte of the document counts."""
    return {k: v for k, v in snapshot.items() if v is not None and v != []}


def _write_version(
    session: Session,
    principal: Principal,
    person: Person,
    *,
    action: str,
    reason: str,
    legal_reference: str | None,
    changes: dict[str, Any],
) -> None:
    """The new version's number is the one the flush will give the row: the version_id_col
    bumps ``persons.version`` on every UPDATE; a newly inserted row starts at 1."""
    session.add(
        PersonVersion(
            person_id=person.id,
            version=1 if action == "register" else person.version + 1,
            id_number=person.id_number,
            officer=principal.username,
            officer_id=principal.officer_id,
            action=action,
            reason=reason,
            legal_reference=legal_reference,
            changes=changes,
        )
    )


def _flush(session: Session) -> None:
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as exc:
        raise StaleVersion(
            "the record was changed by someone else at the same time; reload it and retry"
        ) from exc


def _sync_old_ids(session: Session, person: Person, documents: list[dict[str, Any]]) -> None:
    numbers = {d["number"] for d in documents}
    for row in list(session.query(OldIdNumber).filter(OldIdNumber.person_id == person.id)):
        if row.number not in numbers:
            session.delete(row)
        numbers.discard(row.number)
    session.add_all(OldIdNumber(number=n, person_id=person.id) for n in sorted(numbers))


def _jurisdiction(session: Session, data: PersonCreate) -> tuple[str | None, str | None]:
    for residence in (data.permanent_residence, data.temporary_residence, data.current_residence):
        if residence is not None:
            commune = adminunit.resolve_commune(session, residence.commune_code)
            return commune.code, commune.province_code
    return None, None


def _initial_residences(data: PersonCreate) -> list[NewResidence]:
    pairs: list[tuple[str, ResidenceIn | None]] = [
        ("permanent", data.permanent_residence),
        ("temporary", data.temporary_residence),
        ("current", data.current_residence),
    ]
    return [
        NewResidence(
            kind=kind,
            address_line=r.address_line,
            commune_code=r.commune_code,
            valid_to=data.temporary_residence_until if kind == "temporary" else None,
        )
        for kind, r in pairs
        if r is not None
    ]


def register_person(session: Session, principal: Principal, data: PersonCreate) -> Person:
    """Register a resident and allocate their personal ID number from their birth data
    (Decree 137/2015 Art. 13: province or country of birth registration, century and sex,
    year of birth, random serial). A commune officer registers residents of their commune."""
    principal.require_writer()
    snapshot = data.model_dump(mode="json", exclude=_META | _CREATE_ONLY)
    _check_codes(snapshot)
    birth = _check_birth(snapshot)
    commune_code, province_code = _jurisdiction(session, data)
    if commune_code is None and not principal.is_national:
        raise PersonRuleViolation("give the resident's permanent, temporary or current residence")
    principal.require_covers(commune_code, province_code)
    number = idnumbers.allocate(
        session, province_code=data.birth_registration_code, sex=data.sex, birth_year=birth.year
    )
    person = Person(id_number=number, commune_code=commune_code, province_code=province_code)
    _apply(person, snapshot)
    session.add(person)
    session.flush()
    _write_version(
        session,
        principal,
        person,
        action="register",
        reason=data.reason,
        legal_reference=data.legal_reference,
        changes={},  # the first version is the record as registered
    )
    _sync_old_ids(session, person, snapshot["old_id_numbers"])
    for new in _initial_residences(data):
        residences.register_residence(
            session, principal, person_id=person.id, new=new, reason=data.reason
        )
    _flush(session)
    record(
        session,
        principal,
        action="registry:person:register",
        subject_type="person",
        subject_id=str(person.id_number),
    )
    born_recently = (now().date() - date(birth.year, birth.month or 1, birth.day or 1)).days < 366
    events.publish(
        session,
        "birth" if born_recently else "registration",
        id_number=str(person.id_number),
        province_code=person.province_code,
        commune_code=person.commune_code,
    )
    return person


def _merge(old: dict[str, Any], update: PersonUpdate) -> dict[str, Any]:
    new = dict(old)
    for name in update.model_fields_set - _META:
        new[name] = update.model_dump(mode="json", include={name})[name]
    return new


def _diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Every item that differs, with its old and new value (None: not known)."""
    return {
        k: {"old": old.get(k), "new": new.get(k)}
        for k in sorted(old.keys() | new.keys())
        if old.get(k) != new.get(k)
    }


def _check_death(new: dict[str, Any]) -> None:
    if new.get("death_kind") and not new.get("death_date"):
        raise PersonRuleViolation(
            "give the date of death or of being declared missing (death_date)",
            errors=[FieldError(("body", "death_date"), "is required with death_kind")],
        )
    if new.get("death_date") and not new.get("death_kind"):
        new["death_kind"] = "dead"


def _identity_changes(person: Person, requested: dict[str, Any], new: dict[str, Any]) -> bool:
    """Sex, birth year or place of birth registration: the ID number is re-established."""
    if "birth_date" in requested and PartialDate.parse(new["birth_date"]).year != person.birth_year:
        return True
    return "sex" in requested or "birth_registration_code" in requested


def _reestablish(session: Session, person: Person, new: dict[str, Any], reason: str) -> None:
    number = idnumbers.cancel_and_replace(
        session,
        number=person.id_number,
        reason=reason,
        province_code=new["birth_registration_code"],
        sex=new["sex"],
        birth_year=PartialDate.parse(new["birth_date"]).year,
    )
    new["cancelled_id_numbers"] = [*new.get("cancelled_id_numbers", []), str(person.id_number)]
    person.id_number = number


def update_person(
    session: Session,
    principal: Principal,
    id_number: str | IdNumber,
    update: PersonUpdate,
    *,
    expected_version: int,
) -> Person:
    """Correct or update a record (Law on Identification Art. 10). The caller names the version
    it read (If-Match); if the record has moved on since, nothing is written (412)."""
    person = find(session, id_number)
    principal.require_writer()
    principal.require_covers(person.commune_code, person.province_code)
    if person.version != expected_version:
        raise StaleVersion(
            f"the record is at version {person.version}, you edited version {expected_version}; "
            "reload it, reapply your change and retry"
        )
    old = person.data
    new = _merge(old, update)
    requested = _diff(old, compact(new))
    if not requested:
        raise PersonRuleViolation("the update changes nothing")
    _check_codes({k: new.get(k) for k in requested})
    _check_birth(new)
    _check_death(new)
    old_number = str(person.id_number)
    if _identity_changes(person, requested, new):
        _reestablish(session, person, new, update.reason)
    _apply(person, new)
    # Recorded after every consequence (death kind, cancelled numbers) so that the versions'
    # changes, applied backwards from the current record, give back every past state.
    changes = _diff(old, person.data)
    if str(person.id_number) != old_number:
        changes["id_number"] = {"old": old_number, "new": str(person.id_number)}
    _write_version(
        session,
        principal,
        person,
        action="update",
        reason=update.reason,
        legal_reference=update.legal_reference,
        changes=changes,
    )
    if "old_id_numbers" in changes:
        _sync_old_ids(session, person, new["old_id_numbers"])
    _flush(session)
    record(
        session,
        principal,
        action="registry:person:update",
        subject_type="person",
        subject_id=old_number,
        details={"fields": sorted(changes)},
    )
    died = "death_date" in changes and person.data.get("death_date")
    events.publish(
        session,
        "death" if died else "data_correction",
        id_number=str(person.id_number),
        province_code=person.province_code,
        commune_code=person.commune_code,
        details={"fields": sorted(changes)},
    )
    return person


def _residence_summary(session: Session, person_id: int, kind: str) -> dict[str, Any] | None:
    for residence in residences.open_residences(session, person_id):
        if residence.kind == kind:
            return {
                "address_line": residence.address_line,
                "commune_code": residence.commune_code,
                "valid_to": residence.valid_to.isoformat() if residence.valid_to else None,
            }
    return None


def _refresh_jurisdiction(session: Session, person: Person) -> None:
    open_now = {r.kind: r for r in residences.open_residences(session, person.id)}
    for kind in residences.KINDS:
        if kind in open_now:
            person.commune_code = open_now[kind].commune_code
            person.province_code = open_now[kind].province_code
            return
    person.commune_code = person.province_code = None


def _leave_household_on_move(
    session: Session, principal: Principal, person: Person, new_commune: str | None, reason: str
) -> None:
    member = households.membership_of(session, person.id)
    if member is None:
        return
    household = households.get_household(session, member.household_id)
    if household.commune_code == new_commune:
        return
    households.remove_member(
        session,
        principal,
        household_id=household.id,
        person_id=person.id,
        reason=f"moved: {reason}",
        enforce_jurisdiction=False,
    )


def change_residence(
    session: Session,
    principal: Principal,
    id_number: str | IdNumber,
    *,
    new: NewResidence | None,
    end_kind: str | None = None,
    reason: str,
    legal_reference: str | None = None,
) -> Person:
    """Register (``new``) or end (``end_kind``) a residence. Registration is made by the
    officers of the commune moved to; ending one by those responsible for the resident. Moving
    the permanent residence out of a household's commune takes the person out of it."""
    person = find(session, id_number)
    principal.require_writer()
    kind = new.kind if new is not None else str(end_kind)
    old = _residence_summary(session, person.id, kind)
    if new is not None:
        target = adminunit.resolve_commune(session, new.commune_code)
        principal.require_covers(target.code, target.province_code)
        residences.register_residence(
            session, principal, person_id=person.id, new=new, reason=reason
        )
    else:
        principal.require_covers(person.commune_code, person.province_code)
        residences.end_residence(session, principal, person_id=person.id, kind=kind, reason=reason)
    if kind == "permanent":
        moved_to = adminunit.resolve_commune(session, new.commune_code).code if new else None
        _leave_household_on_move(session, principal, person, moved_to, reason)
    _refresh_jurisdiction(session, person)
    person.updated_at = now()
    _write_version(
        session,
        principal,
        person,
        action=f"residence.{kind}",
        reason=reason,
        legal_reference=legal_reference,
        changes={
            f"{kind}_residence": {"old": old, "new": _residence_summary(session, person.id, kind)}
        },
    )
    _flush(session)
    record(
        session,
        principal,
        action=f"registry:residence:{'register' if new else 'end'}",
        subject_type="person",
        subject_id=str(person.id_number),
        details={"kind": kind},
    )
    events.publish(
        session,
        "residence_change",
        id_number=str(person.id_number),
        province_code=person.province_code,
        commune_code=person.commune_code,
        details={"kind": kind, "ended": new is None},
    )
    return person


def by_ids(session: Session, ids: list[int]) -> list[Person]:
    """Current rows of several residents (for lists such as a household's members)."""
    if not ids:
        return []
    return list(session.scalars(select(Person).where(Person.id.in_(ids))))
