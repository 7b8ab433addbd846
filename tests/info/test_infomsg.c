/* \summary: `pidcap info`'s parser messages: a summary survives the trip, a damaged stream never finishes */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "info/info_msg.h"
#include "info/summary.h"
#include "tests/tap.h"

/*
 * For each sample file: the summary collected in this process, encoded as
 * the parser child encodes it and decoded as the parent decodes it, prints
 * the same text and JSON as the original. Every proper prefix of the stream
 * is accepted only as unfinished, a stream with a byte changed at any
 * offset never crashes the decoder (ASan/UBSan builds check that), and a few
 * hand-made hostile frames are refused.
 *
 *   test_infomsg                 the TAP test
 *   test_infomsg --seeds DIR     writes each sample's stream to DIR (the seed
 *                                corpus tests/fuzz/corpus/infomsg/)
 */

#define MAX_STREAM_BYTES (64u * 1024 * 1024)
#define MAX_SEED_BYTES (64u * 1024)
#define FULL_SWEEP_BYTES 8192u   /* streams up to this size: every offset cut and flipped */
#define SWEEP_BYTES (64u * 1024)  /* the part of a larger stream cut and flipped */

static const char *const samples[] = {
	"testdata/malformed/pcapng_every_option.pcapng",
	"testdata/malformed/pcapng_bom_flip.pcapng",
	"testdata/malformed/pcap_cut_mid_record.pcap",
	"testdata/malformed/pcapng_options_overrun.pcapng",
	"testdata/malformed/pcapng_bad_bom.pcapng",
	"testdata/malformed/pcapng_many_idbs.pcapng.gz",
};
#define N_SAMPLES (sizeof(samples) / sizeof(samples[0]))

/* The summary's text and JSON, in a heap string. */
static char *printed(const struct summary *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	summary_print_text(s, f);
	summary_print_json(s, f);
	fprintf(f, "\nexit %d\n", summary_exit_code(s));
	fclose(f);
	return text;
}

/* Decodes stream[0, len) into *s; answers the decoder's final state, or -1 on a refusal. */
static int decode(const uint8_t *p, size_t len, bool want_sequence, struct summary *s)
{
	struct info_msg_decoder d;
	struct cur in = cur_make(p, len);
	char err[INFO_MSG_ERROR_BYTES];

	memset(s, 0, sizeof(*s));
	s->path = "sample";
	s->want_sequence = want_sequence;
	info_msg_decoder_init(&d, s);
	if (info_msg_feed(&d, &in, err, sizeof(err)) != 0)
		return -1;
	return (int)d.state;
}

static bool encode(const char *path, struct wbuf *w, char **want_text)
{
	struct summary s;

	summary_collect(&s, path, true);
	s.path = "sample";
	if (!wbuf_init_growable(w, 4096, MAX_STREAM_BYTES))
		return false;
	info_msg_put_progress(w, 1, 2, 3);
	info_msg_put_result(w, &s, NULL, NULL);
	*want_text = printed(&s);
	summary_free(&s);
	return !wbuf_failed(w) && *want_text != NULL;
}

static void test_sample(const char *rel)
{
	char path[4096], *want = NULL, *got = NULL;
	const char *src = getenv("SRCDIR");
	struct summary s;
	struct wbuf w;
	size_t len, sweep, step;
	uint8_t *copy;
	unsigned early = 0;

	snprintf(path, sizeof(path), "%s/%s", src ? src : ".", rel);
	if (!tap_ok(encode(path, &w, &want), "%s: encodes", rel))
		goto out;
	len = wbuf_len(&w);
	tap_ok(decode(wbuf_data(&w), len, true, &s) == INFO_MSG_FINISHED &&
	       (got = printed(&s)) != NULL && strcmp(got, want) == 0,
	       "%s: the decoded summary prints as the original (%zu bytes of messages)", rel, len);
	summary_free(&s);
	/* every offset of a small stream; of a large one, a sample of its
	 * first SWEEP_BYTES (each decode reads at most that much) */
	sweep = len < SWEEP_BYTES ? len : SWEEP_BYTES;
	step = sweep / FULL_SWEEP_BYTES + 1;
	for (size_t cut = 0; cut < sweep; cut += step) {
		early += decode(wbuf_data(&w), cut, true, &s) == INFO_MSG_FINISHED;
		summary_free(&s);
	}
	TAP_EQ_U(early, 0, "%s: no proper prefix of the stream finishes", rel);
	copy = malloc(sweep ? sweep : 1);
	for (size_t at = 0; copy != NULL && at < sweep; at += step) {
		memcpy(copy, wbuf_data(&w), sweep);
		copy[at] ^= 0xff;
		(void)decode(copy, sweep, at & 1, &s);
		summary_free(&s);
	}
	tap_ok(copy != NULL, "%s: bytes flipped one at a time: no crash", rel);
	free(copy);
out:
	free(want);
	free(got);
	wbuf_release(&w);
}

/* Hand-made hostile frames, each to be refused. */
static void test_hostile(void)
{
	static const struct { const char *what; const char *bytes; size_t len; } cases[] = {
		{ "version 2", "\x02\x07\x00\x00\x00\x00", 6 },
		{ "a length over the maximum", "\x01\x01\x00\x04\x00\x01", 6 },
		{ "DONE before the header", "\x01\x07\x00\x00\x00\x00", 6 },
		{ "an unknown type", "\x01\x63\x00\x00\x00\x00", 6 },
		{ "a short progress message", "\x01\x01\x00\x00\x00\x01\x00", 7 },
		{ "a failure text with a NUL", "\x01\x02\x00\x00\x00\x04\x00\x02\x61\x00", 10 },
		{ "a header cut short", "\x01\x03\x00\x00\x00\x01\x01", 7 },
	};
	struct summary s;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TAP_EQ_I(decode((const uint8_t *)cases[i].bytes, cases[i].len, false, &s), -1,
			 "refused: %s", cases[i].what);
		summary_free(&s);
	}
}

static int write_seeds(const char *dir)
{
	char path[4096], out[4200], *text = NULL;
	const char *src = getenv("SRCDIR");

	for (size_t i = 0; i < N_SAMPLES; i++) {
		struct wbuf w;
		FILE *f;
		const char *base = strrchr(samples[i], '/') + 1;

		snprintf(path, sizeof(path), "%s/%s", src ? src : ".", samples[i]);
		snprintf(out, sizeof(out), "%s/%.*s", dir, (int)strcspn(base, "."), base);
		if (!encode(path, &w, &text)) {
			fprintf(stderr, "test_infomsg: cannot encode %s\n", path);
			return 1;
		}
		if (wbuf_len(&w) > MAX_SEED_BYTES)
			goto next;   /* a fuzzer seed should be small */
		if ((f = fopen(out, "wb")) == NULL ||
		    fwrite(wbuf_data(&w), 1, wbuf_len(&w), f) != wbuf_len(&w) || fclose(f) != 0) {
			fprintf(stderr, "test_infomsg: cannot write %s\n", out);
			return 1;
		}
next:
		free(text);
		wbuf_release(&w);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
		return write_seeds(argv[2]);
	for (size_t i = 0; i < N_SAMPLES; i++)
		test_sample(samples[i]);
	test_hostile();
	return tap_done();
}
