/*
 * fs: whole-file reads, atomic writes and temporary directories.
 *
 * Writes that replace a user's file (README.md, metadata.json, tfvars) go through
 * fs_write_atomic: a temporary file beside the target, fsync, then rename, so a crash
 * leaves either the old file or the new one, never half of either. The temporary name is
 * unpredictable and created exclusively (mkstemp: O_CREAT|O_EXCL, which never follows a
 * symlink), so a link planted in the directory can neither redirect the write to another
 * file nor end up renamed over the target. It carries our pid: a temporary file left by a
 * run of ours that was killed is removed by the next write of the same file.
 */
#ifndef ORC_FS_H
#define ORC_FS_H

#include "core/buf.h"
#include "core/err.h"

/* Reads the whole file into out (appending). Missing file: ORC_EUSAGE naming the path. */
int fs_read_file(const char *path, buf *out, err *e);
/* Replaces path with data via a temporary file and rename; keeps the old file's mode (of a
 * regular file; 0644 otherwise). The result is always a regular file. */
int fs_write_atomic(const char *path, const void *data, size_t len, err *e);
int fs_exists(const char *path);
int fs_is_dir(const char *path);
/* Creates a private (0700) temporary directory; returns a heap path. */
int fs_mkdtemp(const char *prefix, char **out, err *e);
/* Removes a file or a directory tree; missing is fine. */
int fs_remove_tree(const char *path);
/* Joins two path parts with exactly one '/'; heap result. */
char *fs_join(const char *a, const char *b);
/* The directory part of path (heap): "." for a bare file name, "/" for a file at the root.
 * The one way to find where config.json, metadata.json or a README lives. */
char *fs_dir(const char *path);

#endif
