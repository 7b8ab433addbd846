/* \summary: libFuzzer target: the writer's decoder of the parser's messages (analyze/msg.c) */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/msg.h"

/*
 * The input is a message stream as a hostile parser could write it. Every
 * frame msg_decode() accepts is encoded again with the parser's functions
 * and must give the same bytes (the encoding is canonical), so a field the
 * decoder lets through unchecked shows up as a difference; the decoder must
 * never read outside the input (heap buffer of exactly its size, ASan).
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_msg: broken contract: %s (line %d)\n", #cond, __LINE__); \
	abort(); } } while (0)

static struct msg m;

/* Encodes m again into out (after whatever out holds). */
static void encode(struct msg_out *out, const struct msg *d)
{
	switch (d->type) {
	case MSG_HELLO:
		if (d->u.hello.version == MSG_VERSION)
			msg_send_hello(out, d->u.hello.sandbox, d->u.hello.sandbox_complete);
		break;
	case MSG_META:
		msg_send_meta(out, d->u.meta.pcapng, d->u.meta.gzip);
		break;
	case MSG_PROCESS:
		msg_send_process(out, (enum msg_process_source)d->u.process.source, d->u.process.pid,
				 d->u.process.has_record ? &d->u.process.pr : NULL, d->u.process.name);
		break;
	case MSG_FLOW:
		msg_send_flow(out, &d->u.flow);
		break;
	case MSG_ANOMALY:
		msg_send_anomaly(out, d->u.anomaly.name, d->u.anomaly.detail, d->u.anomaly.flow_id,
				 d->u.anomaly.packet, d->u.anomaly.ts_ns);
		break;
	case MSG_INTERFACE:
		msg_send_interface(out, d->u.iface.idx, &d->u.iface.ifc, d->u.iface.packets);
		break;
	case MSG_SOCKET:
		msg_send_socket(out, &d->u.socket.r, d->u.socket.process, d->u.socket.packets);
		break;
	case MSG_PROCESS_COUNTS:
		msg_send_process_counts(out, d->u.counts.process, d->u.counts.packets, d->u.counts.flows);
		break;
	case MSG_PROGRESS:
		msg_send_progress(out, d->u.progress.offset, d->u.progress.packets);
		break;
	case MSG_END:
		msg_send_end(out, &d->u.end.r);
		break;
	case MSG_FAIL:
		msg_send_fail(out, d->u.fail);
		break;
	default:
		CHECK(!"a decoded type is known");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct cur c;
	struct msg_out out;
	const char *why;
	uint32_t processes = 0;

	if (copy == NULL || !msg_out_init(&out, -1)) {
		free(copy);
		return 0;
	}
	memcpy(copy, data, size);
	c = cur_make(copy, size);
	for (;;) {
		const uint8_t *frame = cur_data(&c);
		size_t before = cur_left(&c), frame_len;

		if (msg_decode(&c, processes, &m, &why) != MSG_OK)
			break;
		frame_len = before - cur_left(&c);
		CHECK(frame_len >= MSG_HEADER_BYTES && frame_len <= MSG_HEADER_BYTES + MSG_MAX_PAYLOAD);
		out.processes = processes;
		encode(&out, &m);
		if (m.type != MSG_HELLO || m.u.hello.version == MSG_VERSION) {
			CHECK(wbuf_len(&out.buf) == frame_len);
			CHECK(memcmp(wbuf_data(&out.buf), frame, frame_len) == 0);
		}
		wbuf_truncate(&out.buf, 0);
		if (m.type == MSG_PROCESS)
			processes++;
	}
	msg_out_free(&out);
	free(copy);
	return 0;
}
