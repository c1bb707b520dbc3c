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

/* Appends the model as one JSON document (pretty-printed, ends with a newline). */
void catalog_json(const catalog *c, buf *out);

#endif
