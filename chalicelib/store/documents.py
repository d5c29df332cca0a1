"""Issued documents' verification records, in the members table (the member's aggregate; no new table or IAM).

| item     | pk                      | sk       |
|----------|-------------------------|----------|
| document | DOCUMENT#<document id>  | DOCUMENT |

Keyed by the document's random id, never by a person's identifier, so the public verification is one GetItem.
"""

from pynamodb.attributes import ListAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.domain.documents import VerificationRecord
from chalicelib.store.members import MemberItem
from chalicelib.store.transactions import ConditionFailed, Write, commit


def document_key(document_id: str) -> tuple[str, str]:
    return f"DOCUMENT#{document_id}", "DOCUMENT"


class DocumentItem(MemberItem, discriminator="document"):
    document_id = UnicodeAttribute()
    document_kind = UnicodeAttribute()
    member_id = UnicodeAttribute()
    payment_id = UnicodeAttribute(null=True)  # a receipt's
    masked_name = UnicodeAttribute(null=True)
    covered_months = ListAttribute(of=UnicodeAttribute)
    issued_at = UTCDateTimeAttribute()
    # expires_at is MemberItem's (the table's TTL attribute, epoch seconds): DynamoDB deletes the record once its
    # token no longer verifies; a text date here would keep it for ever.


def document_write(record: VerificationRecord) -> Write:
    item = DocumentItem(*document_key(record.document_id), document_id=record.document_id,
                        document_kind=record.kind, member_id=record.member_id, payment_id=record.payment_id,
                        masked_name=record.masked_name, covered_months=record.covered_months,
                        issued_at=record.issued_at, expires_at=record.expires_at)
    return Write("document", "save", lambda tx: tx.save(item, condition=MemberItem.pk.does_not_exist()))


def save_document(record: VerificationRecord) -> bool:
    """One conditional PutItem; False when the record is there already. The id is a keyed hash of the record's
    content (domain/documents.py), so the one stored is this one, issued earlier the same day: it is kept as it is
    (with its first issued_at) and nothing more is written."""
    try:
        commit([document_write(record)])
    except ConditionFailed:
        return False
    return True


def get_document(document_id: str) -> VerificationRecord | None:
    """One GetItem (eventually consistent: a document is read long after it was written)."""
    try:
        item = DocumentItem.get(*document_key(document_id))
    except DocumentItem.DoesNotExist:
        return None
    return VerificationRecord(document_id=item.document_id, kind=item.document_kind, member_id=item.member_id,
                              payment_id=item.payment_id, masked_name=item.masked_name,
                              covered_months=list(item.covered_months or []), issued_at=item.issued_at,
                              expires_at=item.expires_at)
