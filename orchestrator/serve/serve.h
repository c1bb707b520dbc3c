/*
 * serve: the migration service (`orchestrator serve`), an HTTP API on libmicrohttpd for
 * running the engine from CI over HTTPS behind a load balancer (ECS service + ALB).
 *
 * Routes, under the path prefix P (default "", e.g. "/migrator"):
 *   GET  P/ and P/health       open (health: 200 when the database answers, else 503)
 *   GET  P/metrics             open, Prometheus text format
 *   GET  P/v1/config           the effective settings, secrets left out
 *   GET  P/v1/migrations/source, P/v1/migrations/applied (info as JSON)
 *   POST P/v1/migrations       {"mode":"apply"|"dry-run"|"validate","response":"summary"|"list"}
 *   GET  P/v1/tenants, POST P/v1/tenants {"name": "t1"} (add a tenant schema, migrate it)
 * Every P/v1/ request needs "Authorization: Bearer <token>"; a missing or wrong token is
 * 401 before anything else happens (no database work, no body read). The token is
 * compared in constant time.
 *
 * One connection thread per client, so health answers while a migration runs. One
 * migration run at a time in this process: a second POST gets 409 at once (other
 * processes, Flyway included, wait on the history table's advisory lock instead).
 * Bodies are limited to SERVE_MAX_BODY bytes (413). SIGTERM or SIGINT: the listening
 * socket closes, requests in flight (a migration included) run to their end and are
 * answered, then the process exits 0.
 *
 * Standard output carries one JSON access log line per request (for CloudWatch) and
 * nothing else: the engine's own lines go to standard error.
 */
#ifndef ORC_SERVE_H
#define ORC_SERVE_H

#include <stddef.h>

#include "core/err.h"
#include "pg/migrate.h"

#define SERVE_MAX_BODY (64 * 1024)

typedef struct serve_config {
	const char *listen;      /* "ADDR:PORT" ("[v6]:PORT" too) */
	const char *path_prefix; /* "" or "/name" */
	migrate_opts base;       /* url, locations, schema, table, placeholders */
	int locations_given;     /* --locations named explicitly (shared migrations) */
	const char *const *tenant_locations;
	size_t n_tenant_locations;
	char **tenants; /* --tenants (POST /v1/tenants adds to it) */
	size_t n_tenants;
	const char *tenants_query;
	int jobs;
	const char *token;        /* the bearer token (a registered secret) */
	const char *token_source; /* "environment SERVE_TOKEN", "secret NAME" */
} serve_config;

/* Runs the service until SIGTERM/SIGINT; 0 after a clean stop. Blocks those signals in
 * the calling thread. A listen address that cannot be bound is ORC_EUSAGE. */
int serve_run(serve_config *cfg, err *e);

#endif
