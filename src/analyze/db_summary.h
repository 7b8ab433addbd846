/* \summary: the short summary `pidcap analyze` prints from the database */
#ifndef PIDCAP_DB_SUMMARY_H
#define PIDCAP_DB_SUMMARY_H

#include <stdio.h>

/* Prints flows by protocol, top talkers, processes and anomalies of the
 * database at path. Returns 0, or -1 after printing why to stderr. */
int db_summary_print(const char *path, FILE *out);

#endif
