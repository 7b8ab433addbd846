/* \summary: `pidcap analyze`: capture files into a SQLite database */
#ifndef PIDCAP_ANALYZE_H
#define PIDCAP_ANALYZE_H

/* Runs `pidcap analyze` with its own argv (argv[0] = "analyze"). Returns the
 * exit code: 0 every file analysed (or already in the database), 1 some file
 * was truncated or damaged (what it held is stored), 2 usage error, a file
 * that is not a capture, or a database error. */
int analyze_main(int argc, char **argv);

/* Runs `pidcap index DB` (argv[0] = "index"): builds the indexes DB is
 * missing, the lookup indexes included, and marks them wanted for later runs.
 * Returns the exit code: 0 done, 2 usage error, no such file, database error. */
int index_main(int argc, char **argv);

#endif
