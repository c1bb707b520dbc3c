/*
 * version: Flyway's migration versions.
 *
 * A version is digits separated by '.' or '_' ("1.0.1", "2_3"); parts compare as numbers
 * of any length, and trailing zero parts do not count ("1.0" == "1"). We keep versions as
 * their display text (underscores shown as dots, as Flyway stores them in the history
 * table) and compare that text directly, so no bignum type is needed.
 */
#ifndef ORC_PG_VERSION_H
#define ORC_PG_VERSION_H

#include <stddef.h>

/* True when s (length n) is a valid version: digit runs separated by single '.' or '_'. */
int version_valid(const char *s, size_t n);
/* The display form of a valid version: '_' becomes '.'. Heap string. */
char *version_display(const char *s, size_t n);
/* <0, 0, >0 as a is lower, equal, higher than b (both valid; '.' or '_' separators). */
int version_cmp(const char *a, const char *b);

#endif
