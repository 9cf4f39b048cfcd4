"""Every context's tables, imported together so the metadata (and Alembic) sees all of them."""

from neutrality.access import tables as access_tables
from neutrality.audit import tables as audit_tables
from neutrality.commitments import tables as commitments_tables
from neutrality.db import Base
from neutrality.inventory import tables as inventory_tables
from neutrality.organisations import tables as organisations_tables
from neutrality.reductions import tables as reductions_tables
from neutrality.reductions import target_tables as reduction_target_tables
from neutrality.registry import tables as registry_tables
from neutrality.statements import tables as statements_tables
from neutrality.verification import tables as verification_tables

metadata = Base.metadata

__all__ = [
    "access_tables",
    "audit_tables",
    "commitments_tables",
    "inventory_tables",
    "metadata",
    "organisations_tables",
    "reduction_target_tables",
    "reductions_tables",
    "registry_tables",
    "statements_tables",
    "verification_tables",
]
