/* \summary: the malformed-capture corpus (security-reliability.md §7 rows 1-5), built in code */
#ifndef PIDCAP_TESTS_MALFORMED_CASES_H
#define PIDCAP_TESTS_MALFORMED_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "build.h"

/*
 * One malformed capture and what must come of it. The same table makes the
 * files under testdata/malformed/ (gen_malformed) and checks them
 * (test_malformed), so the committed corpus and the code cannot drift apart.
 */
struct malformed_case {
	const char *name;          /* file name in testdata/malformed/ */
	bool gzip;                 /* stored gzip-compressed (large but repetitive) */
	const char *why;           /* one line for EXPECTED */
	/* Builds the bytes (uncompressed); answers the offset the reader must
	 * report for a truncated or corrupt file (0 otherwise). */
	size_t (*build)(struct tb *b);
	/* The reader: "not-a-capture" when capfile_open() refuses the file,
	 * else the final status: "complete", "truncated" or "corrupt". */
	const char *status;
	uint32_t packets;
	uint32_t bad_blocks;
	uint32_t bad_options;      /* records with options_bad */
	/* `pidcap info`: exit code (summary_exit_code) and JSON "status"
	 * written with '-' for ' ' ("not-a-capture"). */
	int info_exit;
	const char *info_status;
};

extern const struct malformed_case MALFORMED_CASES[];
extern const size_t N_MALFORMED_CASES;

/* The reader's status word for a result, as used in the "status" column. */
const char *malformed_status_word(const struct tb_result *r);

/* Writes the EXPECTED table for all cases to path; false on error. */
bool malformed_write_expected(const char *path);

#endif
