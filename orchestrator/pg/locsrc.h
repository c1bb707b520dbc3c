/*
 * locsrc: migration locations that are not folders on this machine (s3://bucket/prefix).
 *
 * A remote location is mirrored into a private temporary folder (0700, removed at exit):
 * ListObjectsV2 over every page, then GetObject for each .sql object new or changed since
 * the last sync (by ETag), and files whose objects vanished are deleted. Discovery scans
 * the mirror exactly as it scans a folder, so script names are the keys relative to the
 * prefix and checksums are those of the same bytes on disk; the records it yields name
 * the migration by its S3 URL (s3://bucket/prefix/V1__x.sql), and the engine reads the
 * text back through locsrc_read_file.
 *
 * One command syncs each location once (thousands of tenant runs reuse it); the service
 * asks for a fresh listing on every request (locsrc_expire), so objects uploaded
 * since are seen. Threads may share it (tenant runs in parallel): a mutex guards the table
 * and a sync; a file is replaced by rename, so a reader sees the old or the new text.
 */
#ifndef ORC_PG_LOCSRC_H
#define ORC_PG_LOCSRC_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* Before starting threads that read these locations: initialises libcurl and libxml2 and
 * syncs every remote location once in the calling thread, so that the AWS credentials are
 * already on the log's secret list (which is not thread-safe to extend) when workers
 * sync again. A failure is left for the workers to report. */
void locsrc_init_threads(const char *const *locs, size_t n);
/* True for a location this module serves (s3://...). */
int locsrc_is_remote(const char *loc);
/* The local mirror of a remote location (heap path), synced unless synced within the max
 * age. An unreadable bucket is ORC_EREMOTE naming it and the permission to grant. */
int locsrc_mirror(const char *loc, char **dir, err *e);
/* The name records carry for script under a remote location: "s3://bucket/prefix/script". */
char *locsrc_path(const char *loc, const char *script);
/* Reads a migration's text: an s3:// path from its mirror, any other path from disk. */
int locsrc_read_file(const char *path, buf *out, err *e);
/* Marks every mirror stale: its next use lists the bucket again (the service calls it
 * at the start of each request, so objects uploaded since are seen). */
void locsrc_expire(void);
/* Removes every mirror (also run at exit). */
void locsrc_cleanup(void);

#endif
