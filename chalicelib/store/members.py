"""The members table: one partition per member (profile, beneficiaries, consents) plus uniqueness guards."""

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model


class MemberItem(Model):
    """Generic item of the members table; entity attributes arrive with the registration feature."""

    class Meta:
        table_name = "unbound"  # set from Settings by store.tables.bind()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
