/* \summary: libFuzzer target: the messages `pidcap info`'s sandboxed parser sends its parent */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "info/info_msg.h"
#include "info/summary.h"

/*
 * The input is the byte stream of the parser's pipe, as a compromised parser
 * could write it. It goes through the parent's decoder (info_msg_feed); a
 * result it accepts whole is printed as text and JSON into /dev/null, so
 * that the printers run on every value the decoder lets through. Checks:
 * strings it accepted are terminated inside their buffers, the counts stay
 * under the limits of summary.h, and a refusal comes with a message.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_infomsg: broken contract: %s (line %d)\n", #cond, __LINE__); \
	abort(); } } while (0)

static FILE *devnull(void)
{
	static FILE *f;

	if (f == NULL)
		f = fopen("/dev/null", "w");
	return f;
}

static void check_summary(const struct summary *s)
{
	CHECK(s->n_comments <= SUMMARY_MAX_COMMENTS);
	CHECK(s->n_procs <= SUMMARY_MAX_PROCS);
	CHECK(s->n_ifaces <= CAP_MAX_INTERFACES);
	CHECK(s->n_sequence <= SUMMARY_MAX_SEQUENCE);
	CHECK(s->n_block_kinds <= SUMMARY_MAX_KINDS && s->n_custom_kinds <= SUMMARY_MAX_KINDS &&
	      s->n_secret_kinds <= SUMMARY_MAX_KINDS);
	CHECK(memchr(s->error, '\0', sizeof(s->error)) != NULL);
	CHECK(memchr(s->open_error, '\0', sizeof(s->open_error)) != NULL);
	for (uint32_t i = 0; i < s->n_procs; i++)
		CHECK(s->procs[i].cmdline_len <= sizeof(s->procs[i].cmdline));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct info_msg_decoder d;
	struct summary s;
	struct cur in;
	char err[INFO_MSG_ERROR_BYTES];
	uint8_t *buf = malloc(size ? size : 1);
	FILE *out = devnull();

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);   /* exactly its size: ASan sees any over-read */
	memset(&s, 0, sizeof(s));
	s.path = "fuzz";
	s.want_sequence = size > 0 && (data[0] & 1);
	info_msg_decoder_init(&d, &s);
	in = cur_make(buf, size);
	if (info_msg_feed(&d, &in, err, sizeof(err)) != 0) {
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	} else if (d.state == INFO_MSG_FINISHED && out != NULL) {
		check_summary(&s);
		summary_print_text(&s, out);
		summary_print_json(&s, out);
		(void)summary_exit_code(&s);
	}
	summary_free(&s);
	free(buf);
	return 0;
}
