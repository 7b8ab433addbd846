/* \summary: `pidcap analyze FILE... [-o DB]`: command line */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "analyze/db_summary.h"
#include "analyze/worker.h"
#include "analyze/writer.h"
#include "sandbox/sandbox.h"
#include "store/store.h"
#include "util/progress.h"
#include "util/sha256file.h"
#include "util/termsafe.h"

#define DB_NAME_BYTES 4096
#define MAX_FLOWS_LIMIT 100000000u
#define DEFAULT_FILE_CPU_LIMIT_S 3600u
#define MAX_LIMIT 10000000u            /* seconds or MB: a typo guard, not a policy */
#ifdef PIDCAP_TEST_HOOKS
#define TEST_CRASH_AT_PACKET "PIDCAP_TEST_CRASH_AT_PACKET"
#define TEST_SPIN_AT_PACKET "PIDCAP_TEST_SPIN_AT_PACKET"
#else
#define TEST_CRASH_AT_PACKET NULL
#define TEST_SPIN_AT_PACKET NULL
#endif

static void analyze_usage(FILE *out)
{
	fprintf(out,
		"Usage: pidcap analyze [-o DB] [-q] [-v] [-j N] [--no-progress] [--index] [--max-flows N]\n"
		"                      [--sandbox-strict | --no-sandbox] [--file-cpu-limit S]\n"
		"                      [--file-memory-limit MB] FILE...\n"
		"\n"
		"Decode capture files (pcap or pcapng, optionally gzip-compressed) into a\n"
		"SQLite database: captures, interfaces, flows (Zeek conn.log semantics and\n"
		"Community ID), processes and anomalies. Several files go into one database;\n"
		"a file already in it (same SHA-256) is skipped. Each file is written in one\n"
		"transaction, so an interrupted run leaves no trace of the file it was on.\n"
		"Each file is parsed by its own child process, sandboxed before it reads a\n"
		"byte (an unprivileged user, capabilities dropped, no-new-privs, Landlock: no\n"
		"file or network access at all, seccomp: no path, no fork, no exec), which\n"
		"can write nothing but a pipe to this process, the only one that writes the\n"
		"database. A file whose parser crashes, hits a limit or breaks the message\n"
		"protocol is recorded as 'crashed' and the run goes on with the next one.\n"
		"\n"
		"  -o, --output DB     database to create or extend (default: the first\n"
		"                      file's name without its extensions, plus .db, in the\n"
		"                      current directory)\n"
		"  -q, --quiet         no summary, only errors\n"
		"  -v, --verbose       also the sandbox level reached and the time each\n"
		"                      phase took\n"
		"      --no-progress   no progress bar, even on a terminal\n"
		"  -j, --jobs N        files parsed at once, each by its own parser process\n"
		"                      (default: the number of cores); they are still\n"
		"                      written one after another, in order, by one writer\n"
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
		"truncated or damaged, had malformed blocks or options (everything else is\n"
		"stored), ran its parser out of memory (stored as 'partial'), or crashed its\n"
		"parser; 2 usage error, a file that is not a capture (no valid first header),\n"
		"a database error, or a sandbox that could not be applied.\n",
		DEFAULT_FILE_CPU_LIMIT_S);
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
	uint64_t packets, flows, processes, attributed_flows;
	double hash_s, read_s, commit_s;
	char sandbox[WORKER_SANDBOX_TEXT_BYTES];   /* the last level printed */
	bool warned;
};

struct cli {
	const char *output;
	bool quiet, verbose, progress;
	bool index;                 /* --index: the lookup indexes too */
	enum sandbox_mode mode;
	uint32_t max_flows;
	unsigned cpu_limit_s, memory_limit_mb;
	unsigned jobs;              /* -j: parsers at once */
};

/* pidcap analyze: FILE: TEXT, both escaped (the text may be the parser's). */
static void file_error(const char *path, const char *what, const char *text)
{
	fputs("pidcap analyze: ", stderr);
	termsafe_puts(stderr, path);
	fprintf(stderr, ": %s", what);
	termsafe_puts(stderr, text);
	fputc('\n', stderr);
}

/* -v: the level reached, when it changes; a warning once when incomplete. */
static void report_sandbox(const struct cli *cli, struct run *r, const struct file_report *f)
{
	if (cli->verbose && f->sandbox[0] && strcmp(f->sandbox, r->sandbox) != 0) {
		fputs("pidcap analyze: sandbox: ", stderr);
		termsafe_puts(stderr, f->sandbox);
		fputc('\n', stderr);
		snprintf(r->sandbox, sizeof(r->sandbox), "%s", f->sandbox);
	}
	if (cli->mode == SANDBOX_BEST_EFFORT && !f->sandbox_complete && f->sandbox[0] && !r->warned) {
		fputs("pidcap analyze: warning: the sandbox is incomplete: ", stderr);
		termsafe_puts(stderr, f->sandbox);
		fputc('\n', stderr);
		r->warned = true;
	}
}

/* Counts the result of one file; returns false when the run must stop. */
static bool account(const char *path, const struct file_report *f, struct run *r)
{
	r->packets += f->packets;
	r->flows += f->flows;
	r->processes += f->processes;
	r->attributed_flows += f->attributed_flows;
	r->hash_s += f->hash_s;
	r->read_s += f->read_s;
	r->commit_s += f->commit_s;
	switch (f->outcome) {
	case FILE_DONE:
		r->done++;
		break;
	case FILE_PARTIAL:
		r->partial++;
		file_error(path, "", f->msg);
		break;
	case FILE_SKIPPED:
		r->skipped++;
		break;
	case FILE_FAILED:
		r->failed++;
		file_error(path, "", f->msg);
		return !f->db_error;
	case FILE_CRASHED:
		r->crashed++;
		file_error(path, "crashed: ", f->msg);
		return !f->db_error;
	case FILE_SANDBOX_FAILED:
		r->failed++;
		file_error(path, "", f->msg);
		return false;
	}
	return true;
}

/* Files are written one after another, in order, each in its transaction;
 * the parsers of the next jobs - 1 files run meanwhile. */
static int analyze_files(const struct cli *cli, struct store *s, const struct worker_config *wc,
			 char **files, int n, struct run *r)
{
	struct file_report *reps = calloc((size_t)n, sizeof(*reps));
	struct wfile **wf = calloc((size_t)n, sizeof(*wf));
	struct wfile *later[WRITER_MAX_JOBS];
	int opened = 0, i;

	if (reps == NULL || wf == NULL) {
		fprintf(stderr, "pidcap analyze: out of memory\n");
		free(reps);
		free(wf);
		return 2;
	}
	for (i = 0; i < n; i++) {
		size_t n_later = 0;

		for (; opened < n && opened < i + (int)cli->jobs; opened++)
			wf[opened] = writer_open_file(s, wc, files[opened], &reps[opened]);
		for (int j = i + 1; j < opened; j++)
			if (wf[j] != NULL)
				later[n_later++] = wf[j];
		if (wf[i] != NULL)
			writer_finish_file(wf[i], later, n_later, cli->progress);
		wf[i] = NULL;
		report_sandbox(cli, r, &reps[i]);
		if (!account(files[i], &reps[i], r))
			break;
	}
	for (int j = i + 1; j < opened; j++)
		writer_abandon_file(wf[j]);
	free(reps);
	free(wf);
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
		{ "jobs", required_argument, NULL, 'j' },
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
	int c, strict = 0, off = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qvj:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': cli->output = optarg; break;
		case 'q': cli->quiet = true; break;
		case 'v': cli->verbose = true; break;
		case 'P': cli->progress = false; break;
		case 'I': cli->index = true; break;
		case 'j':
			v = strtoul(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > WRITER_MAX_JOBS) {
				fprintf(stderr, "pidcap analyze: -j wants a number from 1 to %u\n",
					WRITER_MAX_JOBS);
				return 2;
			}
			cli->jobs = (unsigned)v;
			break;
		case 'S': cli->mode = SANDBOX_STRICT; strict = 1; break;
		case 'N': cli->mode = SANDBOX_OFF; off = 1; break;
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
			cli->max_flows = (uint32_t)v;
			break;
		case 'h': analyze_usage(stdout); return 0;
		default:
			fprintf(stderr, "Try 'pidcap analyze --help'.\n");
			return 2;
		}
	}
	if (cli->mode != SANDBOX_BEST_EFFORT && strict + off > 1) {
		fprintf(stderr, "pidcap analyze: --sandbox-strict and --no-sandbox contradict each other\n");
		return 2;
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

/* The number of cores, the default of -j. */
static unsigned default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > WRITER_MAX_JOBS ? WRITER_MAX_JOBS : (unsigned)n;
}

static double cpu_s(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
	       (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

static void on_index_progress(void *ctx, unsigned done, unsigned total, const char *name)
{
	progress_step(ctx, done, total, name);
}

/* Builds the indexes the run dropped (the lookup ones too with --index, or
 * when the database asks for them) and closes the database. */
static int finish_store(const struct cli *cli, struct store *s, const struct run *r)
{
	struct timespec t0, t1;
	struct progress pg;
	char err[512];
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	progress_begin(&pg, "indexing", 0, cli->progress);
	if (store_build_indexes(s, cli->index, on_index_progress, &pg, NULL) != STORE_OK) {
		fputs("pidcap analyze: ", stderr);
		termsafe_puts(stderr, cli->output);
		fprintf(stderr, ": building the indexes: %s\n", store_error(s));
		rc = 2;
	}
	progress_end(&pg);
	if (store_close(s, err, sizeof(err)) != STORE_OK) {
		fputs("pidcap analyze: ", stderr);
		termsafe_puts(stderr, cli->output);
		fprintf(stderr, ": %s\n", err);
		rc = 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (cli->verbose) {
		struct rusage self, parsers;

		getrusage(RUSAGE_SELF, &self);
		getrusage(RUSAGE_CHILDREN, &parsers);
		fprintf(stderr, "pidcap analyze: seconds: hashing (not overlapped) %.2f, reading, "
			"decoding and writing %.2f, committing %.2f, indexing and closing %.2f\n",
			r->hash_s, r->read_s, r->commit_s, elapsed_s(&t0, &t1));
		/* the writer is the serial part: its share caps what more parsers can gain */
		fprintf(stderr, "pidcap analyze: CPU seconds: parsers and hashing %.2f, writer %.2f\n",
			cpu_s(&parsers), cpu_s(&self));
	}
	return rc;
}

/* The fault hooks of the test-hook build only: PIDCAP_TEST_CRASH_AT_PACKET=N
 * makes the parser abort at packet N, as a crashing dissector would;
 * PIDCAP_TEST_SPIN_AT_PACKET=N makes it loop there, as a stuck one would. */
static uint64_t test_hook(const char *name)
{
#ifdef PIDCAP_TEST_HOOKS
	const char *v = getenv(name);

	return v != NULL ? strtoull(v, NULL, 10) : 0;
#else
	(void)name;
	return 0;
#endif
}

static void print_summary(const struct cli *cli, const struct run *r)
{
	printf("pidcap: %u file%s analysed, %u partly, %u already present, %u failed",
	       r->done, r->done == 1 ? "" : "s", r->partial, r->skipped, r->failed);
	if (r->crashed)
		printf(", %u crashed", r->crashed);
	printf(": %llu packets, %llu flows (%llu attributed to a process), %llu processes -> ",
	       (unsigned long long)r->packets, (unsigned long long)r->flows,
	       (unsigned long long)r->attributed_flows, (unsigned long long)r->processes);
	termsafe_puts(stdout, cli->output);
	putchar('\n');
}

int analyze_main(int argc, char **argv)
{
	struct cli cli = { .progress = true, .mode = SANDBOX_BEST_EFFORT,
			   .cpu_limit_s = DEFAULT_FILE_CPU_LIMIT_S, .jobs = default_jobs() };
	char dbname[DB_NAME_BYTES], err[512];
	struct worker_config wc;
	struct run r = { 0 };
	struct store *s;
	struct stat st;
	int rc = parse_options(argc, argv, &cli);

	if (rc >= 0)
		return rc;
	if (cli.output == NULL) {
		default_db_name(argv[optind], dbname, sizeof(dbname));
		cli.output = dbname;
	}
	/* a parser that dies closes its pipe: the writer must not die of it */
	signal(SIGPIPE, SIG_IGN);
	/* fetched once here, not in each hashing process */
	if (sha256_prepare() != 0) {
		fprintf(stderr, "pidcap analyze: OpenSSL offers no SHA-256\n");
		return 2;
	}
	wc = (struct worker_config){ .mode = cli.mode, .max_flows = cli.max_flows,
		.cpu_limit_s = cli.cpu_limit_s, .memory_limit_mb = cli.memory_limit_mb,
		.crash_at_packet = test_hook(TEST_CRASH_AT_PACKET),
		.spin_at_packet = test_hook(TEST_SPIN_AT_PACKET) };
	if (lstat(cli.output, &st) == 0 && S_ISLNK(st.st_mode)) {
		fputs("pidcap analyze: ", stderr);
		termsafe_puts(stderr, cli.output);
		fputs(": is a symbolic link; pidcap does not follow links to its database "
		      "(one could point anywhere): give the real path with -o\n", stderr);
		return 2;
	}
	s = store_open(cli.output, err, sizeof(err));
	if (s == NULL) {
		fputs("pidcap analyze: ", stderr);
		termsafe_puts(stderr, cli.output);
		fprintf(stderr, ": %s\n", err);
		return 2;
	}
	rc = analyze_files(&cli, s, &wc, argv + optind, argc - optind, &r);
	if (finish_store(&cli, s, &r) != 0)
		rc = 2;
	if (!cli.quiet) {
		print_summary(&cli, &r);
		if (db_summary_print(cli.output, stdout) != 0 && rc == 0)
			rc = 2;
	}
	return rc;
}
