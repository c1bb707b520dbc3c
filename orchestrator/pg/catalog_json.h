/*
 * catalog_json: the catalog model as JSON, for tools other than the README (schema-docs
 * --format json). The field names are part of the interface (README, "schema-docs
 * --format json"): fields are added, never renamed. Lists keep the catalog's order (names
 * in C collation); absent values are null, never left out, so every object of one kind
 * has the same keys.
 */
#ifndef ORC_CATALOG_JSON_H
#define ORC_CATALOG_JSON_H

#include "core/buf.h"
#include "pg/catalog.h"

/* The version of the field set, "format" in the output. */
#define CATALOG_JSON_FORMAT "orchestrator.schema-docs/1"

/* Receives the document in pieces, in order; non-zero stops the writing. */
typedef int (*catalog_json_write)(void *ctx, const char *text, size_t len);

/* Writes the model as one JSON document (cJSON's pretty print, ends with a newline) in
 * pieces, a relation at a time, never the whole at once. Returns what fn returned first
 * that was not 0, else 0. */
int catalog_json(const catalog *c, catalog_json_write fn, void *ctx);

#endif
