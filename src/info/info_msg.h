/* \summary: `pidcap info`: the messages its sandboxed parser sends up its pipe, and their checks */
#ifndef PIDCAP_INFO_MSG_H
#define PIDCAP_INFO_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "info/summary.h"
#include "util/cur.h"
#include "util/wbuf.h"

/*
 * The parser child (info_parse.c) sends a stream of frames; the parent
 * (info_super.c) takes every byte of it for hostile. A frame is
 *
 *     u8 version (INFO_MSG_VERSION), u8 type, be32 payload length, payload
 *
 * with a payload of at most INFO_MSG_MAX_PAYLOAD bytes, all integers
 * big-endian. The stream is any number of PROGRESS frames, then either one
 * FAIL frame, or one HEAD frame (every scalar of struct summary, its
 * comments and tables, and how many IFACE, PROC and sequence entries come),
 * the IFACE frames in interface order, the PROC frames, the SEQUENCE frames,
 * and one DONE frame. Strings are a be16 length and that many bytes, no NUL
 * among them, shorter than the buffer the parent keeps them in; an optional
 * string has a u8 presence flag first.
 */

#define INFO_MSG_VERSION 1u
#define INFO_MSG_HEADER_BYTES 6u
#define INFO_MSG_MAX_PAYLOAD (256u * 1024)
#define INFO_MSG_SEQUENCE_PER_FRAME 4096u   /* block types per SEQUENCE frame */
#define INFO_MSG_ERROR_BYTES 160u           /* FAIL text and decoder errors */

enum info_msg_type {
	INFO_MSG_PROGRESS = 1,  /* be64 bytes read, be64 total (0 unknown), be64 packets */
	INFO_MSG_FAIL = 2,      /* string: the parser could not start (its sandbox) */
	INFO_MSG_HEAD = 3,
	INFO_MSG_IFACE = 4,
	INFO_MSG_PROC = 5,
	INFO_MSG_SEQUENCE = 6,  /* be32 n, then n be32 block types */
	INFO_MSG_DONE = 7,      /* empty */
};

/* ---------------------------------------------------------------- child side */

/*
 * Each encoder appends whole frames to w, which must hold at least
 * INFO_MSG_HEADER_BYTES + INFO_MSG_MAX_PAYLOAD bytes more; on failure w is
 * failed (wbuf_failed) and the frame must not be sent.
 */
void info_msg_put_progress(struct wbuf *w, uint64_t done_bytes, uint64_t total_bytes,
			   uint64_t packets);
void info_msg_put_fail(struct wbuf *w, const char *why);

/* Called after each frame of a result is appended, to send and empty w. */
typedef void info_msg_flush_fn(void *ctx, struct wbuf *w);

/*
 * The frames of s's result, in order: HEAD, IFACE per interface, PROC per
 * kept process record, SEQUENCE (when s->want_sequence), DONE. After each
 * one flush(ctx, w) is called when flush is not NULL (else w collects them
 * all and must be growable to hold them).
 */
void info_msg_put_result(struct wbuf *w, const struct summary *s, info_msg_flush_fn *flush,
			 void *ctx);

/* ---------------------------------------------------------------- parent side */

struct info_msg_frame {
	uint8_t type;
	struct cur payload;
};

/*
 * Takes the next frame off the front of *in: 1 with *f set (f->payload
 * points into *in's bytes), 0 when *in holds only part of a frame (*in
 * untouched), -1 on a bad header (version, length over the maximum) with a
 * message in err.
 */
int info_msg_take_frame(struct cur *in, struct info_msg_frame *f, char *err, size_t errlen);

enum info_msg_state { INFO_MSG_WANT_HEAD, INFO_MSG_WANT_ITEMS, INFO_MSG_FINISHED,
		      INFO_MSG_FAILED };

struct info_msg_decoder {
	struct summary *s;           /* filled as frames arrive */
	enum info_msg_state state;
	uint32_t want_ifaces, want_procs, want_sequence;
	/* the last PROGRESS frame */
	bool have_progress;
	uint64_t done_bytes, total_bytes, packets;
	char fail[INFO_MSG_ERROR_BYTES];   /* a FAIL frame's text (state FAILED) */
};

/*
 * Starts decoding into *s, which the caller has zeroed and given its path
 * and want_sequence; sequence entries are refused unless it wants them.
 * The decoder allocates inside *s: summary_free() frees it, whatever
 * happened.
 */
void info_msg_decoder_init(struct info_msg_decoder *d, struct summary *s);

/*
 * Checks and applies one frame: every length, count, string size and enum
 * against the limits of summary.h and capfile.h, and the frame order above.
 * Returns 0, or -1 with a message in err (the stream is then to be
 * abandoned; *s holds what was accepted so far). A FAIL frame is accepted
 * (state INFO_MSG_FAILED, text in d->fail).
 */
int info_msg_decode(struct info_msg_decoder *d, const struct info_msg_frame *f, char *err,
		    size_t errlen);

/*
 * info_msg_take_frame() and info_msg_decode() over every whole frame at the
 * front of *in, which is left at the first incomplete one. Returns 0, or -1
 * with a message in err at the first bad frame.
 */
int info_msg_feed(struct info_msg_decoder *d, struct cur *in, char *err, size_t errlen);

#endif
