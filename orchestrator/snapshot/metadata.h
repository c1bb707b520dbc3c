/*
 * metadata: metadata.json, the record of which snapshot each region restores from:
 * `{ "us-west-2": { "snapshot": "auroradb-cluster-snapshot-20201001-170224Z" } }`.
 *
 * The file belongs to the user's repository, so an update changes one value and keeps
 * every other key (and their order) as it was; the output is pretty-printed the same way
 * every time (two-space indent, a final newline) so that an unchanged value gives an
 * unchanged file and no commit. Writes are atomic (core/fs.h).
 */
#ifndef ORC_SNAPSHOT_METADATA_H
#define ORC_SNAPSHOT_METADATA_H

#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/err.h"

#define METADATA_DEFAULT_PATH "metadata.json"

/* The snapshot recorded for region: *id is a heap string, or NULL when the file, the
 * region or its "snapshot" key is absent. A file that is not valid JSON, or a region
 * that is not an object, is ORC_EUSAGE naming the file. */
int metadata_get_snapshot(const char *path, const char *region, char **id, err *e);

/* Sets {region: {snapshot: id}}, creating the file or the region when missing and
 * keeping every other key. *changed (may be NULL) is 1 when the file's bytes changed. */
int metadata_set_snapshot(const char *path, const char *region, const char *id, int *changed,
                          err *e);

/* The stable text of a JSON document (two-space indent, final newline), appended to out. */
void metadata_format(const cJSON *json, buf *out);

#endif
