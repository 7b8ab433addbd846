/* \summary: `pidcap analyze FILE... [-o DB]`: command line */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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
#include "analyze/worker.h"
#include "sandbox/sandbox.h"
#include "store/store.h"
#include "util/termsafe.h"

#define DB_NAME_BYTES 4096
#define MAX_FLOWS_LIMIT 100000000u
#define DEFAULT_FILE_CPU_LIMIT_S 3600u
#define MAX_LIMIT 10000000u            /* seconds or MB: a typo guard, not a policy */

static void analyze_usage(FILE *out)
{
	fprintf(out,
		"Usage: pidcap analyze [-o DB] [-q] [-v] [--no-progress] [--index] [--max-flows N]\n"
		"                      [--sandbox-strict | --no-sandbox] [--file-cpu-limit S]\n"
		"                      [--file-memory-limit MB] FILE...\n"
		"\n"
		"Decode capture files (pcap or pcapng, optionally gzip-compressed) into a\n"
		"SQLite database: captures, interfaces, flows (Zeek conn.log semantics and\n"
		"Community ID), processes and anomalies. Several files go into one database;\n"
		"a file already in it (same SHA-256) is skipped. Each file is written in one\n"
		"transaction, so an interrupted run leaves no trace of the file it was on.\n"
		"Each file is read by its own child process, sandboxed (capabilities dropped,\n"
		"no-new-privs, Landlock: writes only in the database's directory, seccomp)\n"
		"before it reads a byte; a file that crashes its worker or hits a limit is\n"
		"recorded as 'crashed' and the run goes on with the next one.\n"
		"\n"
		"  -o, --output DB     database to create or extend (default: the first\n"
		"                      file's name without its extensions, plus .db, in the\n"
		"                      current directory)\n"
		"  -q, --quiet         no summary, only errors\n"
		"  -v, --verbose       also the sandbox level reached and the time each\n"
		"                      phase took\n"
		"      --no-progress   no progress bar, even on a terminal\n"
		"      --index         also build the lookup indexes over every flow (by\n"
		"                      address, by Community ID) at the end, as `pidcap\n"
		"                      index DB` does; later runs then keep them. Without\n"
		"                      it they are left out (a run is faster; queries by\n"
		"                      address or Community ID scan the flows table)\n"
		"      --max-flows N   flows held in memory at once (default 1000000); the\n"
		"                      least recently active are written out early\n"
		"      --sandbox-strict  refuse to run (exit 2, before reading any input)\n"
		"                      unless every sandbox layer is in force\n"
		"      --no-sandbox    no sandbox (debugging); the workers still run\n"
		"      --file-cpu-limit S  CPU seconds per file (default %u; 0 = none)\n"
		"      --file-memory-limit MB  data memory per file (default none)\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 every file analysed or already present; 1 some file was\n"
		"truncated or damaged (everything before the damage is stored) or crashed\n"
		"its worker; 2 usage error, a file that is not a capture, a database error,\n"
		"or a sandbox that could not be applied.\n", DEFAULT_FILE_CPU_LIMIT_S);
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
	unsigned done, partial, skipped, failed, crashed;
	struct ingest_totals totals;
	char sandbox[WORKER_SANDBOX_TEXT_BYTES];   /* the last level printed */
	bool warned;
	bool indexes_built;                        /* by the last worker */
	double index_s;
};

struct cli {
	struct ingest_options o;
	const char *output;
	bool quiet, verbose;
	bool index;                 /* --index: the lookup indexes too */
	enum sandbox_mode mode;
	unsigned cpu_limit_s, memory_limit_mb;
};

static void add_totals(struct ingest_totals *t, const struct ingest_totals *a)
{
	t->packets += a->packets;
	t->flows += a->flows;
	t->processes += a->processes;
	t->anomalies += a->anomalies;
	t->attributed_flows += a->attributed_flows;
	t->bytes += a->bytes;
	t->hash_s += a->hash_s;
	t->read_s += a->read_s;
	t->drain_s += a->drain_s;
	t->commit_s += a->commit_s;
}

/* Stores the crashed file's row; the worker's transaction is gone with it. */
/* The crashed file's hash: the worker's, or computed here when it died
 * before its hashing thread was done. False when the file cannot be read. */
static bool crash_sha256(const char *path, const struct ingest_status *st, char *sha)
{
	int fd, rc;

	if (st->have_sha256) {
		memcpy(sha, st->sha256_hex, SHA256_HEX_BYTES);
		return true;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	rc = sha256_fd(fd, sha);
	close(fd);
	return rc == 0;
}

static void record_crash(const struct cli *cli, const char *path, const struct worker_report *w)
{
	const struct ingest_status *st = &w->status;
	char sha[SHA256_HEX_BYTES];
	struct capture_meta m = { sha, path, st->format, st->gzip, st->size_bytes,
				  w->sandbox[0] ? w->sandbox : NULL };
	struct store *s;
	char err[512];

	fprintf(stderr, "pidcap analyze: %s: crashed: %s\n", path, w->msg);
	if (!st->have_meta || !crash_sha256(path, st, sha)) {
		fprintf(stderr, "pidcap analyze: %s: not recorded (it crashed before it was hashed)\n",
			path);
		return;
	}
	s = store_open(cli->output, err, sizeof(err));
	if (s == NULL || store_record_crash(s, &m, st->packets, w->msg) != STORE_OK)
		fprintf(stderr, "pidcap analyze: %s: cannot record the crash: %s\n", cli->output,
			s ? store_error(s) : err);
	store_close(s, NULL, 0);
}

/* -v: the level reached, when it changes; a warning once when incomplete. */
static void report_sandbox(const struct cli *cli, struct run *r, const struct worker_report *w)
{
	if (cli->verbose && w->sandbox[0] && strcmp(w->sandbox, r->sandbox) != 0) {
		fprintf(stderr, "pidcap analyze: sandbox: %s\n", w->sandbox);
		snprintf(r->sandbox, sizeof(r->sandbox), "%s", w->sandbox);
	}
	if (cli->mode == SANDBOX_BEST_EFFORT && !w->sandbox_complete && w->sandbox[0] && !r->warned) {
		fprintf(stderr, "pidcap analyze: warning: the sandbox is incomplete: %s\n", w->sandbox);
		r->warned = true;
	}
}

/* Counts the result of one file; returns false when the run must stop. */
static bool account(const struct cli *cli, const char *path, const struct worker_report *w,
		    struct run *r)
{
	switch (w->outcome) {
	case WORKER_SANDBOX_FAILED:
	case WORKER_NOT_STARTED:
		r->failed++;
		fprintf(stderr, "pidcap analyze: %s\n", w->msg);
		return false;
	case WORKER_CRASHED:
		r->crashed++;
		record_crash(cli, path, w);
		return true;
	case WORKER_INGESTED:
		break;
	}
	add_totals(&r->totals, &w->totals);
	switch (w->result) {
	case INGEST_DONE:
		r->done++;
		break;
	case INGEST_PARTIAL:
		r->partial++;
		fprintf(stderr, "pidcap analyze: %s: stored up to the damage: ", path);
		termsafe_puts(stderr, w->msg);
		fputc('\n', stderr);
		break;
	case INGEST_SKIPPED:
		r->skipped++;
		break;
	case INGEST_FAILED:
		r->failed++;
		fprintf(stderr, "pidcap analyze: %s: %s\n", path, w->msg);
		break;
	}
	return true;
}

static int analyze_files(const struct cli *cli, const struct worker_config *wc, char **files, int n,
			 struct run *r)
{
	struct worker_report *w = malloc(sizeof(*w));

	if (w == NULL) {
		fprintf(stderr, "pidcap analyze: out of memory\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		struct worker_config c = *wc;

		c.build_indexes = i == n - 1;
		worker_run(&c, files[i], w);
		if (c.build_indexes && w->outcome == WORKER_INGESTED && w->indexes_built) {
			r->indexes_built = true;
			r->index_s = w->index_s;
		}
		report_sandbox(cli, r, w);
		if (!account(cli, files[i], w, r))
			break;
	}
	free(w);
	if (r->failed)
		return 2;
	return r->partial || r->crashed ? 1 : 0;
}

static bool parse_limit(const char *arg, const char *name, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (*end != '\0' || end == arg || v > MAX_LIMIT) {
		fprintf(stderr, "pidcap analyze: %s wants a number from 0 to %u\n", name, MAX_LIMIT);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

/* Parses the options; returns -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "index", no_argument, NULL, 'I' },
		{ "max-flows", required_argument, NULL, 'M' },
		{ "sandbox-strict", no_argument, NULL, 'S' },
		{ "no-sandbox", no_argument, NULL, 'N' },
		{ "file-cpu-limit", required_argument, NULL, 'C' },
		{ "file-memory-limit", required_argument, NULL, 'm' },
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
		case 'I': cli->index = true; break;
		case 'S': cli->mode = SANDBOX_STRICT; break;
		case 'N': cli->mode = SANDBOX_OFF; break;
		case 'C':
			if (!parse_limit(optarg, "--file-cpu-limit", &cli->cpu_limit_s))
				return 2;
			break;
		case 'm':
			if (!parse_limit(optarg, "--file-memory-limit", &cli->memory_limit_mb))
				return 2;
			break;
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

/* Builds the indexes the workers left dropped, once; says so on a terminal. */
static int finish_store(const struct cli *cli, const struct run *r)
{
	bool notice = cli->o.progress && isatty(STDERR_FILENO) && r->done + r->partial > 0;
	struct timespec t0, t1;
	struct store *s;
	char err[512];
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (r->indexes_built) {
		/* the last worker did it */
		s = NULL;
		goto done;
	}
	if (notice)
		fprintf(stderr, "pidcap: building the indexes of %s ...", cli->output);
	s = store_open(cli->output, err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "pidcap analyze: %s: %s\n", cli->output, err);
		rc = 2;
	} else if (store_build_indexes(s, cli->index, NULL, NULL, NULL) != STORE_OK) {
		fprintf(stderr, "pidcap analyze: %s: building the indexes: %s\n", cli->output,
			store_error(s));
		rc = 2;
	}
	if (s != NULL && store_close(s, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "pidcap analyze: %s: %s\n", cli->output, err);
		rc = 2;
	}
	if (notice)
		fprintf(stderr, "\r%*s\r", 100, "");
done:
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (cli->verbose)
		fprintf(stderr, "pidcap analyze: seconds: hashing %.2f, reading and decoding %.2f, "
			"writing the last flows %.2f, committing %.2f, indexing and closing %.2f\n",
			r->totals.hash_s, r->totals.read_s, r->totals.drain_s, r->totals.commit_s,
			r->index_s + elapsed_s(&t0, &t1));
	return rc;
}

/* "dir/x.db" -> "dir", "x.db" -> ".", "/x.db" -> "/" */
static void parent_dir(const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(out, outlen, ".");
	else if (slash == path)
		snprintf(out, outlen, "/");
	else
		snprintf(out, outlen, "%.*s", (int)(slash - path), path);
}

/* The crash hook of the test-hook build only: PIDCAP_TEST_CRASH_AT_PACKET=N
 * makes the worker abort at packet N, as a crashing dissector would. */
static uint64_t crash_hook(void)
{
#ifdef PIDCAP_TEST_HOOKS
	const char *v = getenv("PIDCAP_TEST_CRASH_AT_PACKET");

	return v != NULL ? strtoull(v, NULL, 10) : 0;
#else
	return 0;
#endif
}

/* Creates or upgrades the database before any worker runs (a schema error
 * stops the run once, not once per file); holds no connection afterwards. */
static int prepare_store(const char *path)
{
	char err[512];
	struct store *s = store_open(path, err, sizeof(err));

	if (s == NULL || store_close(s, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "pidcap analyze: %s: %s\n", path, err);
		return 2;
	}
	return 0;
}

static void print_summary(const struct cli *cli, const struct run *r)
{
	printf("pidcap: %u file%s analysed, %u partly, %u already present, %u failed",
	       r->done, r->done == 1 ? "" : "s", r->partial, r->skipped, r->failed);
	if (r->crashed)
		printf(", %u crashed", r->crashed);
	printf(": %llu packets, %llu flows (%llu attributed to a process), %llu processes -> %s\n",
	       (unsigned long long)r->totals.packets, (unsigned long long)r->totals.flows,
	       (unsigned long long)r->totals.attributed_flows,
	       (unsigned long long)r->totals.processes, cli->output);
}

int analyze_main(int argc, char **argv)
{
	struct cli cli = { .o = { .progress = true }, .mode = SANDBOX_BEST_EFFORT,
			   .cpu_limit_s = DEFAULT_FILE_CPU_LIMIT_S };
	char dbname[DB_NAME_BYTES], dir[DB_NAME_BYTES];
	struct worker_config wc;
	struct run r = { 0 };
	int rc = parse_options(argc, argv, &cli);

	if (rc >= 0)
		return rc;
	if (cli.output == NULL) {
		default_db_name(argv[optind], dbname, sizeof(dbname));
		cli.output = dbname;
	}
	cli.o.crash_at_packet = crash_hook();
	parent_dir(cli.output, dir, sizeof(dir));
	wc = (struct worker_config){ .o = cli.o, .db_path = cli.output, .mode = cli.mode,
		.cpu_limit_s = cli.cpu_limit_s, .memory_limit_mb = cli.memory_limit_mb,
		.index_lookup = cli.index };
	if (prepare_store(cli.output) != 0)
		return 2;
	wc.write_dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (wc.write_dir_fd < 0) {
		fprintf(stderr, "pidcap analyze: %s: %s\n", dir, strerror(errno));
		return 2;
	}
	wc.drop_uid = cli.mode != SANDBOX_OFF && worker_can_drop_uid(cli.output, dir, &wc.uid_note);
	rc = analyze_files(&cli, &wc, argv + optind, argc - optind, &r);
	close(wc.write_dir_fd);
	if (finish_store(&cli, &r) != 0)
		rc = 2;
	if (!cli.quiet) {
		print_summary(&cli, &r);
		if (db_summary_print(cli.output, stdout) != 0 && rc == 0)
			rc = 2;
	}
	return rc;
}
