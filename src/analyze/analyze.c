/* \summary: `pidcap analyze FILE... [-o DB]`: command line */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "analyze/db_summary.h"
#include "analyze/ingest.h"
#include "store/store.h"
#include "util/termsafe.h"

#define DB_NAME_BYTES 4096
#define MAX_FLOWS_LIMIT 100000000u

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

struct cli {
	struct ingest_options o;
	const char *output;
	bool quiet, verbose;
};

/* Parses the options; returns -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, struct cli *cli)
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
	unsigned long v;
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': cli->output = optarg; break;
		case 'q': cli->quiet = true; break;
		case 'v': cli->verbose = true; break;
		case 'P': cli->o.progress = false; break;
		case 'M':
			v = strtoul(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > MAX_FLOWS_LIMIT) {
				fprintf(stderr, "pidcap analyze: --max-flows wants a number from 1 to %u\n",
					MAX_FLOWS_LIMIT);
				return 2;
			}
			cli->o.max_flows = (uint32_t)v;
			break;
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
	return -1;
}

static double elapsed_s(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Closes the store, which builds the indexes; says so on a terminal. */
static int close_store(struct store *s, const struct cli *cli, const struct run *r)
{
	bool notice = cli->o.progress && isatty(STDERR_FILENO) && r->done + r->partial > 0;
	struct timespec t0, t1;
	char err[512];
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (notice)
		fprintf(stderr, "pidcap: building the indexes of %s ...", cli->output);
	if (store_close(s, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "pidcap analyze: %s: %s\n", cli->output, err);
		rc = 2;
	}
	if (notice)
		fprintf(stderr, "\r%*s\r", 100, "");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (cli->verbose)
		fprintf(stderr, "pidcap analyze: seconds: hashing %.2f, reading and decoding %.2f, "
			"writing the last flows %.2f, committing %.2f, indexing and closing %.2f\n",
			r->totals.hash_s, r->totals.read_s, r->totals.drain_s, r->totals.commit_s,
			elapsed_s(&t0, &t1));
	return rc;
}

int analyze_main(int argc, char **argv)
{
	struct cli cli = { .o = { .progress = true } };
	char dbname[DB_NAME_BYTES], err[512];
	struct store *s;
	struct run r = { 0 };
	int rc = parse_options(argc, argv, &cli);

	if (rc >= 0)
		return rc;
	if (cli.output == NULL) {
		default_db_name(argv[optind], dbname, sizeof(dbname));
		cli.output = dbname;
	}
	s = store_open(cli.output, err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "pidcap analyze: %s: %s\n", cli.output, err);
		return 2;
	}
	rc = analyze_files(s, argv + optind, argc - optind, &cli.o, &r);
	if (close_store(s, &cli, &r) != 0)
		rc = 2;
	if (!cli.quiet) {
		printf("pidcap: %u file%s analysed, %u partly, %u already present, %u failed: "
		       "%llu packets, %llu flows (%llu attributed to a process), %llu processes -> %s\n",
		       r.done, r.done == 1 ? "" : "s", r.partial, r.skipped, r.failed,
		       (unsigned long long)r.totals.packets, (unsigned long long)r.totals.flows,
		       (unsigned long long)r.totals.attributed_flows,
		       (unsigned long long)r.totals.processes, cli.output);
		if (db_summary_print(cli.output, stdout) != 0 && rc == 0)
			rc = 2;
	}
	return rc;
}
