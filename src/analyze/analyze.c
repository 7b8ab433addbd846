/* \summary: `pidcap analyze FILE... [-o DB]`: command line */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/analyze.h"
#include "analyze/db_summary.h"
#include "analyze/ingest.h"
#include "store/store.h"
#include "util/termsafe.h"

#define DB_NAME_BYTES 4096

static void analyze_usage(FILE *out)
{
	fprintf(out,
		"Usage: pidcap analyze [-o DB] [-q] [--no-progress] [--max-flows N] FILE...\n"
		"\n"
		"Decode capture files (pcap or pcapng, optionally gzip-compressed) into a\n"
		"SQLite database: captures, interfaces, flows (Zeek conn.log semantics and\n"
		"Community ID), processes and anomalies. Several files go into one database;\n"
		"a file already in it (same SHA-256) is skipped. Each file is written in one\n"
		"transaction, so an interrupted run leaves no trace of the file it was on.\n"
		"\n"
		"  -o, --output DB     database to create or extend (default: the first\n"
		"                      file's name without its extensions, plus .db, in the\n"
		"                      current directory)\n"
		"  -q, --quiet         no summary, only errors\n"
		"  -v, --verbose       also the time each phase took\n"
		"      --no-progress   no progress bar, even on a terminal\n"
		"      --max-flows N   flows held in memory at once (default 1000000); the\n"
		"                      least recently active are written out early\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 every file analysed or already present; 1 some file was\n"
		"truncated or damaged (everything before the damage is stored); 2 usage\n"
		"error, a file that is not a capture, or a database error.\n");
}

/* "dir/x.pcapng.gz" -> "x.db" */
static void default_db_name(const char *input, char *out, size_t outlen)
{
	static const char *const exts[] = { ".gz", ".pcapng", ".pcap", ".cap", ".ntar" };
	const char *base = strrchr(input, '/');
	size_t n;
	bool stripped = true;

	base = base ? base + 1 : input;
	n = strlen(base);
	while (stripped) {
		stripped = false;
		for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
			size_t el = strlen(exts[i]);

			if (n > el && strncmp(base + n - el, exts[i], el) == 0) {
				n -= el;
				stripped = true;
			}
		}
	}
	if (n == 0 || strcmp(base, "-") == 0)
		snprintf(out, outlen, "pidcap.db");
	else
		snprintf(out, outlen, "%.*s.db", (int)n, base);
}

struct run {
	unsigned done, partial, skipped, failed;
	struct ingest_totals totals;
};

static int analyze_files(struct store *s, char **files, int n, const struct ingest_options *o,
			 struct run *r)
{
	char msg[512];

	for (int i = 0; i < n; i++) {
		switch (ingest_file(s, files[i], o, &r->totals, msg, sizeof(msg))) {
		case INGEST_DONE:
			r->done++;
			break;
		case INGEST_PARTIAL:
			r->partial++;
			fprintf(stderr, "pidcap analyze: %s: stored up to the damage: ", files[i]);
			termsafe_puts(stderr, msg);
			fputc('\n', stderr);
			break;
		case INGEST_SKIPPED:
			r->skipped++;
			break;
		case INGEST_FAILED:
			r->failed++;
			fprintf(stderr, "pidcap analyze: %s: %s\n", files[i], msg);
			break;
		}
	}
	if (r->failed)
		return 2;
	return r->partial ? 1 : 0;
}

int analyze_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "max-flows", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ingest_options o = { .progress = true };
	char dbname[DB_NAME_BYTES], err[512];
	const char *output = NULL;
	bool quiet = false, verbose = false;
	struct timespec tc0, tc1;
	struct store *s;
	struct run r = { 0 };
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'q': quiet = true; break;
		case 'v': verbose = true; break;
		case 'P': o.progress = false; break;
		case 'M': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end != '\0' || v < 1 || v > 100000000) {
				fprintf(stderr, "pidcap analyze: --max-flows wants a number from 1 to 100000000\n");
				return 2;
			}
			o.max_flows = (uint32_t)v;
			break;
		}
		case 'h': analyze_usage(stdout); return 0;
		default:
			fprintf(stderr, "Try 'pidcap analyze --help'.\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "pidcap analyze: no capture file given\n");
		analyze_usage(stderr);
		return 2;
	}
	if (output == NULL) {
		default_db_name(argv[optind], dbname, sizeof(dbname));
		output = dbname;
	}
	s = store_open(output, err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "pidcap analyze: %s: %s\n", output, err);
		return 2;
	}
	rc = analyze_files(s, argv + optind, argc - optind, &o, &r);
	clock_gettime(CLOCK_MONOTONIC, &tc0);
	if (store_close(s, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "pidcap analyze: %s: %s\n", output, err);
		rc = 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &tc1);
	if (verbose)
		fprintf(stderr, "pidcap analyze: seconds: hashing %.2f, reading and decoding %.2f, "
			"writing the last flows %.2f, committing %.2f, indexing and closing %.2f\n",
			r.totals.hash_s, r.totals.read_s, r.totals.drain_s, r.totals.commit_s,
			(double)(tc1.tv_sec - tc0.tv_sec) + (double)(tc1.tv_nsec - tc0.tv_nsec) / 1e9);
	if (!quiet) {
		printf("pidcap: %u file%s analysed, %u partly, %u already present, %u failed: "
		       "%llu packets, %llu flows (%llu attributed to a process), %llu processes -> %s\n",
		       r.done, r.done == 1 ? "" : "s", r.partial, r.skipped, r.failed,
		       (unsigned long long)r.totals.packets, (unsigned long long)r.totals.flows,
		       (unsigned long long)r.totals.attributed_flows,
		       (unsigned long long)r.totals.processes, output);
		if (db_summary_print(output, stdout) != 0 && rc == 0)
			rc = 2;
	}
	return rc;
}
