/* \summary: the malformed-input matrix rows 1-5: built in code, and as committed files */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "capfile/capfile.h"
#include "info/summary.h"
#include "malformed_cases.h"
#include "../tap.h"

#define LINE_BYTES 512
#define READ_CHUNK 65536

/* Compares a reading with the case; answers NULL or what differs. */
static const char *result_mismatch(const struct malformed_case *c, const struct tb_result *r,
				   size_t want_offset)
{
	static char why[400];
	char at[64];

	snprintf(why, sizeof(why), "got %s, %u packets, %u bad blocks, %u bad options, error at %llu: %s",
		 malformed_status_word(r), r->packets, r->bad_blocks, r->options_bad,
		 (unsigned long long)r->err_offset, r->err);
	if (strcmp(malformed_status_word(r), c->status) != 0 || r->packets != c->packets ||
	    r->bad_blocks != c->bad_blocks || r->options_bad != c->bad_options)
		return why;
	if ((strcmp(c->status, "truncated") == 0 || strcmp(c->status, "corrupt") == 0) &&
	    r->err_offset != want_offset)
		return why;
	/* the user is told where the file was cut */
	snprintf(at, sizeof(at), "truncated at offset %zu", want_offset);
	if (strcmp(c->status, "truncated") == 0 && strstr(r->err, at) == NULL)
		return why;
	return NULL;
}

/* Each case from memory (mapped path) and as a gzip stream (window path). */
static void test_built(void)
{
	char path[128];
	const char *t = getenv("TMPDIR");

	snprintf(path, sizeof(path), "%s/pidcap-malformed-%d.gz", t && strlen(t) < 60 ? t : "/tmp",
		 (int)getpid());
	for (size_t i = 0; i < N_MALFORMED_CASES; i++) {
		const struct malformed_case *c = &MALFORMED_CASES[i];
		struct tb b;
		struct tb_result r;
		size_t off;
		const char *bad;

		tb_init(&b, false);
		off = c->build(&b);
		tb_read_mem(b.p, b.len, &r);
		bad = result_mismatch(c, &r, off);
		if (!tap_ok(bad == NULL, "%s (in memory): %s, %u packets", c->name, c->status, c->packets))
			tap_diag("%s", bad);
		if (strcmp(c->name, "pcapng_many_idbs.pcapng.gz") == 0)
			TAP_EQ_U(r.interfaces, CAP_MAX_INTERFACES,
				 "%s: the interface table stops at the cap", c->name);
		tb_write_file(&b, path, true);
		tb_read_path(path, &r);
		bad = result_mismatch(c, &r, off);
		if (!tap_ok(bad == NULL, "%s (gzip stream): %s, %u packets", c->name, c->status,
			    c->packets))
			tap_diag("%s", bad);
		tb_free(&b);
	}
	unlink(path);
}

/* The decompressed bytes of a file (gzread passes plain files through). */
static bool read_plain(const char *path, struct tb *out)
{
	gzFile gz = gzopen(path, "rb");
	uint8_t *chunk = malloc(READ_CHUNK);
	int n;

	tb_init(out, false);
	if (gz == NULL) {
		free(chunk);
		return false;
	}
	while ((n = gzread(gz, chunk, READ_CHUNK)) > 0)
		tb_bytes(out, chunk, (size_t)n);
	free(chunk);
	return gzclose(gz) == Z_OK && n == 0;
}

/* Parses one EXPECTED line into a case-shaped record (strings into bufs). */
struct expected_line {
	char name[128], status[32], info_status[32];
	unsigned packets, bad_blocks, bad_options;
	int info_exit;
};

static bool parse_line(const char *line, struct expected_line *e)
{
	return sscanf(line, "%127s %31s %u %u %u %d %31s", e->name, e->status, &e->packets,
		      &e->bad_blocks, &e->bad_options, &e->info_exit, e->info_status) == 7;
}

static const struct malformed_case *find_case(const char *name)
{
	for (size_t i = 0; i < N_MALFORMED_CASES; i++)
		if (strcmp(MALFORMED_CASES[i].name, name) == 0)
			return &MALFORMED_CASES[i];
	return NULL;
}

static bool line_matches(const struct expected_line *e, const struct malformed_case *c)
{
	return strcmp(e->status, c->status) == 0 && e->packets == c->packets &&
	       e->bad_blocks == c->bad_blocks && e->bad_options == c->bad_options &&
	       e->info_exit == c->info_exit && strcmp(e->info_status, c->info_status) == 0;
}

/* `pidcap info`'s status word for a summary, '-' for ' '. */
static void info_status_word(const struct summary *s, char *out, size_t outlen)
{
	const char *w = !s->opened ? (s->not_capture ? "not a capture" : "unreadable") :
			s->sections == 0 ? "not a capture" : cap_status_name(s->status);

	snprintf(out, outlen, "%s", w);
	for (char *p = out; *p; p++)
		if (*p == ' ')
			*p = '-';
}

/* One committed file: same bytes as the code makes, same reading, same info. */
static void check_file(const char *dir, const struct malformed_case *c)
{
	char path[4200], word[32];
	struct tb want, got;
	struct tb_result r;
	struct summary s;
	size_t off;
	const char *bad;

	snprintf(path, sizeof(path), "%s/%s", dir, c->name);
	tb_init(&want, false);
	off = c->build(&want);
	tap_ok(read_plain(path, &got) && got.len == want.len &&
	       (want.len == 0 || memcmp(got.p, want.p, want.len) == 0),
	       "%s: committed file has the bytes malformed_cases.c makes", c->name);
	tb_read_path(path, &r);
	bad = result_mismatch(c, &r, off);
	if (!tap_ok(bad == NULL, "%s (file): %s, %u packets", c->name, c->status, c->packets))
		tap_diag("%s", bad);
	summary_collect(&s, path, false);
	info_status_word(&s, word, sizeof(word));
	tap_ok(summary_exit_code(&s) == c->info_exit && strcmp(word, c->info_status) == 0,
	       "%s: pidcap info would exit %d with status %s", c->name, c->info_exit, c->info_status);
	summary_free(&s);
	tb_free(&got);
	tb_free(&want);
}

static void test_files(void)
{
	char dir[4096], path[4200], line[LINE_BYTES];
	bool seen[256] = { false };
	size_t n_lines = 0;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/testdata/malformed", tb_srcdir());
	snprintf(path, sizeof(path), "%s/EXPECTED", dir);
	f = fopen(path, "r");
	if (!tap_ok(f != NULL, "EXPECTED table present (%s)", path))
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		struct expected_line e;
		const struct malformed_case *c;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		n_lines++;
		if (!tap_ok(parse_line(line, &e), "EXPECTED line parses: %.60s", line))
			continue;
		c = find_case(e.name);
		if (!tap_ok(c != NULL && line_matches(&e, c), "%s: EXPECTED agrees with the case table",
			    e.name) || c == NULL)
			continue;
		seen[c - MALFORMED_CASES] = true;
		check_file(dir, c);
	}
	fclose(f);
	TAP_EQ_U(n_lines, N_MALFORMED_CASES, "EXPECTED lists every case once");
	for (size_t i = 0; i < N_MALFORMED_CASES && i < 256; i++)
		if (!seen[i])
			tap_ok(0, "%s: missing from EXPECTED (run gen_malformed)", MALFORMED_CASES[i].name);
}

int main(void)
{
	test_built();
	test_files();
	return tap_done();
}
