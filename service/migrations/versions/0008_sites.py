"""sites: a publisher's properties, each with its policy, origins, locale, SSO secret and
moderators; comments, webhook endpoints and Perspective keys belong to a site. The single
``site_settings`` row becomes the site ``default`` (id 1), which the old paths mean.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

DEFAULT_ID = 1


def upgrade() -> None:
    sites = op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("origins", sa.JSON(), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("anonymous_allowed", sa.Boolean(), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("spam", sa.JSON(), nullable=True),
        sa.Column("readers", sa.JSON(), nullable=True),
        sa.Column("sso_secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("slug", name=op.f("uq_sites_slug")),
    )
    connection = op.get_bind()
    old = sa.table("site_settings", sa.column("id", sa.Integer()),
                   sa.column("policy", sa.JSON()), sa.column("allowed_origins", sa.JSON()),
                   sa.column("spam", sa.JSON()), sa.column("readers", sa.JSON()),
                   sa.column("updated_at", sa.DateTime()), sa.column("updated_by", sa.String()))
    saved = connection.execute(sa.select(old).where(old.c.id == DEFAULT_ID)).mappings().first()
    now = datetime.now(UTC).replace(tzinfo=None)
    connection.execute(sites.insert().values(
        id=DEFAULT_ID, slug="default", name="Default", locale="en", anonymous_allowed=True,
        origins=saved["allowed_origins"] if saved else None,
        policy=(saved["policy"] if saved else None) or {},
        spam=saved["spam"] if saved else None, readers=saved["readers"] if saved else None,
        sso_secret=secrets.token_urlsafe(32), created_at=now,
        updated_at=saved["updated_at"] if saved else now,
        updated_by=saved["updated_by"] if saved else ""))
    if connection.dialect.name == "postgresql":  # the explicit id 1 left the sequence behind
        op.execute("SELECT setval(pg_get_serial_sequence('sites', 'id'), "
                   "(SELECT max(id) FROM sites))")
    # Perspective keys named their site by slug: each slug becomes a site of its own.
    keys = sa.table("perspective_keys", sa.column("site", sa.String()))
    for (slug,) in connection.execute(sa.select(keys.c.site).distinct()):
        if slug != "default":
            connection.execute(sites.insert().values(
                slug=slug[:64], name=slug, locale="en", anonymous_allowed=True, policy={},
                sso_secret=secrets.token_urlsafe(32), created_at=now, updated_at=now,
                updated_by=""))
    op.drop_table("site_settings")

    op.create_table(
        "moderator_sites",
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["moderator_id"], ["moderators.id"],
                                name=op.f("fk_moderator_sites_moderator_id_moderators")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"],
                                name=op.f("fk_moderator_sites_site_id_sites")),
        sa.PrimaryKeyConstraint("moderator_id", "site_id", name=op.f("pk_moderator_sites")),
    )
    # The moderators so far decided every comment, all of them now the site default's.
    op.execute(f"INSERT INTO moderator_sites (moderator_id, site_id) "
               f"SELECT id, {DEFAULT_ID} FROM moderators WHERE role = 'moderator'")
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("site_id", sa.Integer(), server_default=str(DEFAULT_ID),
                                   nullable=False))
        batch.create_foreign_key(batch.f("fk_comments_site_id_sites"), "sites", ["site_id"],
                                 ["id"])
        batch.drop_index("ix_comments_thread_status_created")
        batch.create_index("ix_comments_site_thread_status_created",
                           ["site_id", "thread_id", "status", "created_at", "id"], unique=False)
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.add_column(sa.Column("site_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_webhook_endpoints_site_id_sites"), "sites",
                                 ["site_id"], ["id"])
        batch.create_index(batch.f("ix_webhook_endpoints_site_id"), ["site_id"], unique=False)
    with op.batch_alter_table("perspective_keys") as batch:
        batch.add_column(sa.Column("site_id", sa.Integer(), server_default=str(DEFAULT_ID),
                                   nullable=False))
    op.execute("UPDATE perspective_keys SET site_id = "
               "(SELECT sites.id FROM sites WHERE sites.slug = perspective_keys.site)")
    with op.batch_alter_table("perspective_keys") as batch:
        batch.create_foreign_key(batch.f("fk_perspective_keys_site_id_sites"), "sites",
                                 ["site_id"], ["id"])
        batch.drop_column("site")


def downgrade() -> None:
    with op.batch_alter_table("perspective_keys") as batch:
        batch.add_column(sa.Column("site", sa.String(length=80), server_default="default",
                                   nullable=False))
    op.execute("UPDATE perspective_keys SET site = "
               "(SELECT sites.slug FROM sites WHERE sites.id = perspective_keys.site_id)")
    with op.batch_alter_table("perspective_keys") as batch:
        batch.alter_column("site", server_default=None)
        batch.drop_constraint(batch.f("fk_perspective_keys_site_id_sites"), type_="foreignkey")
        batch.drop_column("site_id")
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_index(batch.f("ix_webhook_endpoints_site_id"))
        batch.drop_constraint(batch.f("fk_webhook_endpoints_site_id_sites"), type_="foreignkey")
        batch.drop_column("site_id")
    with op.batch_alter_table("comments") as batch:
        batch.drop_index("ix_comments_site_thread_status_created")
        batch.create_index("ix_comments_thread_status_created",
                           ["thread_id", "status", "created_at", "id"], unique=False)
        batch.drop_constraint(batch.f("fk_comments_site_id_sites"), type_="foreignkey")
        batch.drop_column("site_id")
    op.drop_table("moderator_sites")
    settings = op.create_table(
        "site_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("allowed_origins", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.Column("spam", sa.JSON(), nullable=True),
        sa.Column("readers", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_settings")),
    )
    sites = sa.table("sites", sa.column("id", sa.Integer()), sa.column("policy", sa.JSON()),
                     sa.column("origins", sa.JSON()), sa.column("spam", sa.JSON()),
                     sa.column("readers", sa.JSON()), sa.column("updated_at", sa.DateTime()),
                     sa.column("updated_by", sa.String()))
    connection = op.get_bind()
    default = connection.execute(sa.select(sites).where(sites.c.id == DEFAULT_ID)).mappings().first()
    if default is not None:
        policy = {k: v for k, v in (default["policy"] or {}).items()
                  if k != "new_commenter_premoderation"}
        connection.execute(settings.insert().values(
            id=DEFAULT_ID, policy=policy, allowed_origins=default["origins"],
            spam=default["spam"], readers=default["readers"], updated_at=default["updated_at"],
            updated_by=default["updated_by"]))
    op.drop_table("sites")
