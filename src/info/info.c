/* \summary: `pidcap info FILE...`: command line */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "info/info.h"
#include "info/info_super.h"
#include "info/summary.h"

static void info_usage(FILE *out)
{
	fprintf(out,
		"Usage: pidcap info [--json] [--blocks] [--no-progress] FILE...\n"
		"\n"
		"Describe capture files (pcap or pcapng, optionally gzip-compressed; \"-\" reads\n"
		"standard input): format, byte order, sections, interfaces, packet count,\n"
		"first and last packet time, comments, process records, custom blocks,\n"
		"decryption secrets and whether the file is complete.\n"
		"\n"
		"  -j, --json         one JSON array with an object per file\n"
		"  -b, --blocks       also list every pcapng block in file order\n"
		"      --no-progress  no progress bar, even on a terminal\n"
		"  -h, --help         this text\n"
		"\n"
		"Exit status: 0 every file read completely; 1 some file is truncated,\n"
		"corrupt or has malformed blocks (everything before the damage is reported);\n"
		"2 usage error, or a file that cannot be opened or is not a capture (its first\n"
		"header is damaged), or whose sandboxed parser crashed or sent garbage.\n");
}

int info_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "blocks", no_argument, NULL, 'b' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct info_collect_opts co = { .mode = SANDBOX_BEST_EFFORT, .progress = true };
	bool json = false;
	int c, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jbh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'b': co.want_sequence = true; break;
		case 'P': co.progress = false; break;
		case 'h': info_usage(stdout); return 0;
		default:
			fprintf(stderr, "Try 'pidcap info --help'.\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "pidcap info: no capture file given\n");
		info_usage(stderr);
		return 2;
	}
	if (json)
		fputc('[', stdout);
	for (int i = optind; i < argc; i++) {
		struct summary s;
		int frc;

		info_collect(&s, argv[i], &co);
		frc = summary_exit_code(&s);
		if (frc > rc)
			rc = frc;
		if (json) {
			if (i > optind)
				fputc(',', stdout);
			summary_print_json(&s, stdout);
		} else {
			if (i > optind)
				fputc('\n', stdout);
			summary_print_text(&s, stdout);
		}
		if (frc == 2)
			fprintf(stderr, "pidcap info: %s: %s\n", argv[i],
				s.opened ? s.error : s.open_error);
		summary_free(&s);
	}
	if (json)
		fputs("]\n", stdout);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("pidcap info: writing output");
		return 2;
	}
	return rc;
}
