-- saas.sql: a multi-tenant SaaS schema for the schema-docs tests. Written for this
-- repository (no third-party text; same terms as the repository). Shaped like the
-- PostgreSQL parts of real multi-tenant products: every row carries tenant_id, row-level
-- security keyed on a session setting, time-partitioned facts, a deferred constraint
-- trigger guarding a cross-table rule, ICU collations for names.
CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'Tenant data; every table is row-level secured on app.tenant_id';
CREATE COLLATION app.name_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TYPE app.plan AS ENUM ('free', 'team', 'enterprise');
CREATE DOMAIN app.slug AS text CHECK (VALUE ~ '^[a-z0-9-]{2,40}$');

CREATE TABLE app.tenant (
	tenant_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slug app.slug NOT NULL UNIQUE,
	name text COLLATE app.name_ci NOT NULL,
	plan app.plan NOT NULL DEFAULT 'free',
	seats integer NOT NULL DEFAULT 1 CONSTRAINT tenant_seats_positive CHECK (seats > 0),
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE app.tenant IS 'A customer organisation';
COMMENT ON CONSTRAINT tenant_seats_positive ON app.tenant IS 'Raised when a downgrade leaves no seat';

CREATE TABLE app.account (
	tenant_id bigint NOT NULL REFERENCES app.tenant ON DELETE CASCADE,
	account_id bigint GENERATED ALWAYS AS IDENTITY,
	email citext NOT NULL,
	display_name varchar(80) COLLATE "und-x-icu",
	manager_id bigint,
	role text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
	PRIMARY KEY (tenant_id, account_id),
	CONSTRAINT account_email_key UNIQUE NULLS NOT DISTINCT (tenant_id, email) INCLUDE (display_name),
	CONSTRAINT account_manager_fkey FOREIGN KEY (tenant_id, manager_id)
		REFERENCES app.account (tenant_id, account_id) ON DELETE SET NULL (manager_id)
);
COMMENT ON CONSTRAINT account_manager_fkey ON app.account IS 'Managers leave: reports keep their tenant';
ALTER TABLE app.account ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.account FORCE ROW LEVEL SECURITY;
CREATE POLICY account_tenant ON app.account
	USING (tenant_id = current_setting('app.tenant_id')::bigint);
CREATE POLICY account_no_owner_insert ON app.account AS RESTRICTIVE FOR INSERT
	WITH CHECK (role <> 'owner');

CREATE TABLE app.project (
	tenant_id bigint NOT NULL REFERENCES app.tenant ON DELETE CASCADE,
	project_id bigint GENERATED ALWAYS AS IDENTITY,
	name text COLLATE app.name_ci NOT NULL,
	owner_id bigint NOT NULL,
	archived boolean NOT NULL DEFAULT false,
	PRIMARY KEY (tenant_id, project_id),
	FOREIGN KEY (tenant_id, owner_id) REFERENCES app.account (tenant_id, account_id)
);
ALTER TABLE app.project ENABLE ROW LEVEL SECURITY;
CREATE POLICY project_tenant ON app.project FOR ALL TO PUBLIC
	USING (tenant_id = current_setting('app.tenant_id')::bigint)
	WITH CHECK (tenant_id = current_setting('app.tenant_id')::bigint AND NOT archived);
CREATE POLICY project_read_archived ON app.project FOR SELECT USING (archived);

CREATE TABLE app.task (
	tenant_id bigint NOT NULL,
	task_id bigint GENERATED ALWAYS AS IDENTITY,
	project_id bigint NOT NULL,
	title varchar(200) NOT NULL,
	assignee_id bigint,
	due daterange,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, task_id, created_at),
	FOREIGN KEY (tenant_id, project_id) REFERENCES app.project (tenant_id, project_id)
) PARTITION BY RANGE (created_at);
CREATE TABLE app.task_2025 PARTITION OF app.task FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE app.task_2026 PARTITION OF app.task FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE app.task_default PARTITION OF app.task DEFAULT;
ALTER TABLE app.task ENABLE ROW LEVEL SECURITY;
CREATE POLICY task_tenant ON app.task USING (tenant_id = current_setting('app.tenant_id')::bigint);

CREATE FUNCTION app.assignee_in_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.assignee_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM app.account a
	    WHERE a.tenant_id = NEW.tenant_id AND a.account_id = NEW.assignee_id) THEN
		RAISE EXCEPTION 'assignee % is not in tenant %', NEW.assignee_id, NEW.tenant_id;
	END IF;
	RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER task_assignee_in_tenant AFTER INSERT OR UPDATE OF assignee_id
	ON app.task_2026 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
	EXECUTE FUNCTION app.assignee_in_tenant();

CREATE TABLE app.booking (
	tenant_id bigint NOT NULL REFERENCES app.tenant,
	room text NOT NULL,
	during tstzrange NOT NULL,
	CONSTRAINT booking_no_overlap EXCLUDE USING gist (tenant_id WITH =, room WITH =, during WITH &&)
);

CREATE UNLOGGED TABLE app.session (
	token uuid PRIMARY KEY,
	tenant_id bigint NOT NULL,
	account_id bigint NOT NULL,
	expires_at timestamptz NOT NULL
);
COMMENT ON TABLE app.session IS 'Web sessions: rebuilt on crash, so unlogged';

CREATE TABLE app.event (
	tenant_id bigint NOT NULL,
	kind text NOT NULL,
	payload jsonb NOT NULL DEFAULT '{}'
) PARTITION BY LIST (kind);
CREATE TABLE app.event_login PARTITION OF app.event FOR VALUES IN ('login', 'logout');
CREATE TABLE app.event_other PARTITION OF app.event DEFAULT;

CREATE VIEW app.open_task AS
	SELECT t.tenant_id, t.task_id, t.title, p.name::varchar(120) AS project_name,
	       a.email::varchar(254) AS assignee
	FROM app.task t JOIN app.project p USING (tenant_id, project_id)
	LEFT JOIN app.account a ON a.tenant_id = t.tenant_id AND a.account_id = t.assignee_id
	WHERE NOT p.archived;
COMMENT ON VIEW app.open_task IS 'Tasks of live projects';

CREATE FUNCTION app.seats_left(p_tenant bigint, p_reserved integer DEFAULT 0,
                               VARIADIC p_roles text[] DEFAULT ARRAY['member'])
	RETURNS integer LANGUAGE sql STABLE AS $$
	SELECT t.seats - p_reserved - (SELECT count(*) FROM app.account a
	       WHERE a.tenant_id = p_tenant AND a.role = ANY (p_roles))::integer
	FROM app.tenant t WHERE t.tenant_id = p_tenant $$;
