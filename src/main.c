/* \summary: the `pidcap` command: subcommand dispatch, --help, --version */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "analyze/analyze.h"
#include "info/info.h"
#include "sandbox/sandbox.h"
#include "record/record.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "analyze", analyze_main, "decode capture files into a SQLite database (flows, processes, anomalies)" },
	{ "index", index_main, "build the lookup indexes of a database (flows by address, by Community ID)" },
	{ "record", record_main, "capture live traffic into pcapng, each packet marked with its process" },
	{ "info", info_main, "describe capture files (format, interfaces, packets, times, process records)" },
	{ "sandbox-check", sandbox_check_main, "apply the sandbox and show that it denies what it must" },
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: pidcap COMMAND [OPTIONS] [ARGS]\n"
		"\n"
		"pidcap tells which process sent each packet of a capture.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(out, "  %-14s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(out,
		"\n"
		"  pidcap COMMAND --help   options of a command\n"
		"  pidcap --version        version\n"
		"\n"
		"Exit status: 0 success; 1 findings or partial input (a truncated or\n"
		"damaged file); 2 usage error or unreadable input. See pidcap(1).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
#ifdef PIDCAP_TEST_HOOKS
		printf("pidcap %s (test-hook build: not for use on real evidence)\n", PACKAGE_VERSION);
#else
		printf("pidcap %s\n", PACKAGE_VERSION);
#endif
		return 0;
	}
	for (size_t i = 0; i < N_SUBCOMMANDS; i++) {
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "pidcap: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
