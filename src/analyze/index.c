/* \summary: `pidcap index DB`: builds the indexes a database is missing */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analyze/analyze.h"
#include "store/store.h"
#include "util/progress.h"
#include "util/termsafe.h"

static void index_usage(FILE *out)
{
	fprintf(out,
		"Usage: pidcap index [-q] [--no-progress] DB\n"
		"\n"
		"Build every index of the schema that the database DB (made by `pidcap\n"
		"analyze`) is missing, including the lookup indexes over every flow row\n"
		"(flows by originator address, by responder address, by Community ID) that\n"
		"`pidcap analyze` leaves out by default to finish sooner. From then on every\n"
		"`pidcap analyze` into DB rebuilds them at its end. Indexes already there are\n"
		"kept; each index is built in its own transaction, so the command can be\n"
		"interrupted at any moment and run again to finish the rest.\n"
		"\n"
		"  -q, --quiet         print nothing but errors\n"
		"      --no-progress   no progress bar, even on a terminal\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 every index present; 2 usage error, no such database, or a\n"
		"database error.\n");
}

static void on_progress(void *ctx, unsigned done, unsigned total, const char *name)
{
	progress_step(ctx, done, total, name);
}

/* Parses the options; returns -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, bool *quiet, bool *progress)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': *quiet = true; break;
		case 'P': *progress = false; break;
		case 'h': index_usage(stdout); return 0;
		default:
			fprintf(stderr, "Try 'pidcap index --help'.\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "pidcap index: %s\n",
			optind >= argc ? "no database given" : "one database at a time");
		index_usage(stderr);
		return 2;
	}
	return -1;
}

static void print_error(const char *path, const char *what, const char *detail)
{
	fputs("pidcap index: ", stderr);
	termsafe_puts(stderr, path);
	fprintf(stderr, ": %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
}

int index_main(int argc, char **argv)
{
	bool quiet = false, progress = true;
	struct store_index_stats stats;
	struct timespec t0, t1;
	struct progress pg;
	struct store *s;
	struct stat sb;
	const char *path;
	char err[512];
	int rc = parse_options(argc, argv, &quiet, &progress);

	if (rc >= 0)
		return rc;
	path = argv[optind];
	/* never create a database here: a typo would leave an empty one behind */
	if (stat(path, &sb) != 0) {
		print_error(path, strerror(errno), "run `pidcap analyze -o DB FILE...` to make one");
		return 2;
	}
	s = store_open(path, err, sizeof(err));
	if (s == NULL) {
		print_error(path, err, NULL);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	progress_begin(&pg, "indexing", 0, progress && !quiet);
	rc = store_build_indexes(s, true, on_progress, &pg, &stats) == STORE_OK ? 0 : 2;
	progress_end(&pg);
	if (rc != 0)
		print_error(path, "building the indexes", store_error(s));
	if (store_close(s, err, sizeof(err)) != STORE_OK) {
		print_error(path, err, NULL);
		rc = 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc == 0 && !quiet) {
		printf("pidcap: %u index%s built, %u already present, in %.2f s -> ", stats.built,
		       stats.built == 1 ? "" : "es", stats.present,
		       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		termsafe_puts(stdout, path);
		putchar('\n');
	}
	return rc;
}
