/*
 * jdbc: Flyway's jdbc:postgresql:// URLs as libpq connection URIs.
 *
 * A team coming from Flyway keeps FLYWAY_URL=jdbc:postgresql://host:port/db?... in its
 * CI. libpq reads postgresql:// URIs itself; what differs is the "jdbc:" prefix and the
 * names of pgjdbc's query parameters. Those with a libpq equivalent are renamed
 * (ssl=true is pgjdbc's verify-full, currentSchema becomes the search_path option,
 * connectTimeout, ApplicationName); libpq's own names pass through; any other parameter
 * is an error naming it, never silently dropped. The URL is parsed and rebuilt with
 * libcurl's URL API.
 */
#ifndef ORC_PG_JDBC_H
#define ORC_PG_JDBC_H

#include "core/buf.h"
#include "core/err.h"

/* True when url starts with "jdbc:". */
int jdbc_is_url(const char *url);
/* Appends the libpq URI for a jdbc:postgresql:// URL to out; ORC_EUSAGE naming the
 * parameter or the problem. */
int jdbc_to_libpq(const char *url, buf *out, err *e);

#endif
