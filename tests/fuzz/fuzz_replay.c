/* \summary: runs the fuzz target over files without libFuzzer (regression and seed corpora) */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are skipped, as libFuzzer's -max_len would. */
#define REPLAY_MAX_BYTES (64u * 1024 * 1024)

/* Feeds one file to the target; false when it cannot be read. */
static bool replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long size;
	bool ok;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    (unsigned long)size > REPLAY_MAX_BYTES || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "fuzz_replay: %s: cannot read\n", path);
		if (f != NULL)
			fclose(f);
		return false;
	}
	buf = malloc(size ? (size_t)size : 1);
	ok = buf != NULL && fread(buf, 1, (size_t)size, f) == (size_t)size;
	fclose(f);
	if (ok)
		LLVMFuzzerTestOneInput(buf, (size_t)size);
	else
		fprintf(stderr, "fuzz_replay: %s: cannot read\n", path);
	free(buf);
	return ok;
}

/* A directory's regular files, one level deep (README files skipped). */
static bool replay_dir(const char *dir, unsigned *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	bool ok = true;

	if (d == NULL) {
		fprintf(stderr, "fuzz_replay: %s: %s\n", dir, strerror(errno));
		return false;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (e->d_name[0] == '.' || strncmp(e->d_name, "README", 6) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		ok &= replay_file(path);
		(*n)++;
	}
	closedir(d);
	return ok;
}

/*
 * Usage: fuzz_replay [-libfuzzer-flag...] FILE|DIR...
 * Exit 0 when every input ran (a crash ends the process with the
 * sanitizer's report), 1 when an input could not be read, 2 on usage.
 */
int main(int argc, char **argv)
{
	unsigned n = 0;
	bool ok = true;

	if (argc < 2) {
		fprintf(stderr, "usage: fuzz_replay FILE|DIR...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;

		/* libFuzzer flags (-max_total_time=60 ...) mean nothing here, as in
		 * libFuzzer's own standalone driver */
		if (argv[i][0] == '-')
			continue;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			ok &= replay_dir(argv[i], &n);
		} else {
			ok &= replay_file(argv[i]);
			n++;
		}
	}
	printf("fuzz_replay: %u inputs\n", n);
	return ok ? 0 : 1;
}
