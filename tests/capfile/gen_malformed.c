/* \summary: writes the malformed-capture corpus testdata/malformed/ and its EXPECTED table */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "malformed_cases.h"

/*
 * Usage: gen_malformed [DIR]   (default: $SRCDIR/testdata/malformed)
 * Run it after changing malformed_cases.c, then commit the files; the
 * check (test_malformed) never regenerates them, it compares.
 */
int main(int argc, char **argv)
{
	char dir[4096], path[4200];
	int rc = 0;

	if (argc > 2) {
		fprintf(stderr, "usage: gen_malformed [DIR]\n");
		return 2;
	}
	if (argc == 2)
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	else
		snprintf(dir, sizeof(dir), "%s/testdata/malformed", tb_srcdir());
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen_malformed: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < N_MALFORMED_CASES; i++) {
		const struct malformed_case *c = &MALFORMED_CASES[i];
		struct tb b;

		tb_init(&b, false);
		c->build(&b);
		snprintf(path, sizeof(path), "%s/%s", dir, c->name);
		if (!tb_write_file(&b, path, c->gzip)) {
			fprintf(stderr, "gen_malformed: cannot write %s\n", path);
			rc = 1;
		}
		tb_free(&b);
	}
	snprintf(path, sizeof(path), "%s/EXPECTED", dir);
	if (!malformed_write_expected(path)) {
		fprintf(stderr, "gen_malformed: cannot write %s\n", path);
		rc = 1;
	}
	if (rc == 0)
		printf("gen_malformed: %zu files and EXPECTED in %s\n", N_MALFORMED_CASES, dir);
	return rc;
}
