"""Projects' technologies as codes: 光伏, 海上风电, "Solar PV" stored as solar_pv, wind_offshore….

Registry files and users wrote technologies as they name them; the rules compare codes (the
GEC–CCER linkage). Each project's technology that names a known technology becomes its code
(:func:`neutrality.technologies.technology_code`); one that names none is kept as written.
Downgrade keeps the codes: the names they replaced are not recorded, and a code is as good a
name for the earlier schema.

Revision ID: 0018_technology_codes
Revises: 0017_retirements_despite_rules
Create Date: 2026-12-05 01:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from neutrality.technologies import TECHNOLOGIES, technology_code

revision: str = "0018_technology_codes"
down_revision: str | None = "0017_retirements_despite_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if context.is_offline_mode():
        # no rows to read (``alembic upgrade --sql``): every spelling the table lists, as listed
        projects = sa.table("instrument_projects", sa.column("technology", sa.String))
        for known in TECHNOLOGIES:
            spellings = {known.code.replace("_", " "), known.en, known.zh_Hans, known.zh_Hant, *known.aliases}
            op.execute(projects.update().where(projects.c.technology.in_(sorted(spellings - {known.code})))
                       .values(technology=known.code))
        return
    connection = op.get_bind()
    written = connection.execute(sa.text(
        "SELECT DISTINCT technology FROM instrument_projects WHERE technology <> ''")).scalars().all()
    for text in written:
        code = technology_code(text)
        if code != text:
            connection.execute(sa.text("UPDATE instrument_projects SET technology = :code WHERE technology = :text"),
                               {"code": code, "text": text})


def downgrade() -> None:
    pass
