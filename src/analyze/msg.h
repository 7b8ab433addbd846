/* \summary: the messages a parser process sends the writer: framed, versioned, length-checked */
#ifndef PIDCAP_MSG_H
#define PIDCAP_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include "capfile/capfile.h"
#include "capfile/procinfo.h"
#include "capfile/sockrec.h"
#include "flow/flow.h"
#include "store/store.h"
#include "util/cur.h"
#include "util/wbuf.h"

/*
 * The parser (sandboxed, unprivileged, able to write only its pipe) reports
 * what it found in one capture as a stream of frames:
 *
 *   u8 type, u32 length (big-endian), length bytes of payload
 *
 * HELLO (the protocol version) comes first, END or FAIL last; the writer
 * treats every frame as hostile: unknown types, lengths over MSG_MAX_PAYLOAD,
 * payloads shorter or longer than their fields, strings over their caps or
 * holding NUL, enums out of range, process ids not announced before use are
 * all "invalid" and end the file's analysis (nothing of it is committed).
 *
 * Processes are named by a local id (1, 2, ... in order of their PROCESS
 * frame); flows and sockets refer to those ids, which the writer maps to its
 * database rows. Strings are u16 length + bytes; integers big-endian.
 */

#define MSG_VERSION 1
#define MSG_HEADER_BYTES 5
#define MSG_MAX_PAYLOAD (16u * 1024u)    /* the largest frame: a process with every field full */
#define MSG_NAME_BYTES 64u                /* anomaly names */
#define MSG_TEXT_BYTES 512u               /* anomaly details, status details, failures */
#define MSG_IFACE_TEXT_BYTES 256u         /* interface names, descriptions, filters ... */
#define MSG_MAX_PROCESSES (1u << 20)      /* local process ids per capture */

enum msg_type {
	MSG_HELLO = 1,         /* u32 version, the sandbox level reached */
	MSG_META,              /* the capture's format */
	MSG_PROCESS,           /* a process (local id = its order) */
	MSG_FLOW,              /* an ended flow */
	MSG_ANOMALY,
	MSG_INTERFACE,         /* an interface and its packet count (after the last packet) */
	MSG_SOCKET,            /* a socket record and what it attributed */
	MSG_PROCESS_COUNTS,    /* packets and flows attributed to a process */
	MSG_PROGRESS,          /* bytes read, packets: for the progress bar and crash reports */
	MSG_END,               /* the capture's totals: the last frame of a success */
	MSG_FAIL,              /* the input is no capture (text): the last frame */
	MSG_TYPE_COUNT,
};

enum msg_process_source {
	MSG_SRC_EPB_PID = 1, MSG_SRC_PKTAP, MSG_SRC_SOCKET_RECORD, MSG_SRC_PCAPNG_BLOCK,
	MSG_SRC_DARWIN_BLOCK, MSG_SRC_COUNT,
};

/* A decoded frame. Strings are NUL-terminated copies; the interface's
 * string pointers point into this struct. */
struct msg {
	enum msg_type type;
	union {
		struct {
			uint32_t version;
			bool sandbox_complete;     /* every layer in force */
			char sandbox[MSG_TEXT_BYTES];  /* the level, as captures.sandbox stores it */
		} hello;
		struct {
			bool pcapng, gzip;
		} meta;
		struct {
			uint8_t source;        /* enum msg_process_source */
			uint32_t pid;
			bool has_record;       /* pr is set, else only name (may be "") */
			struct proc_record pr;
			char name[PROC_NAME_BYTES];
		} process;
		struct flow_record flow;   /* attrib rows are local process ids */
		struct {
			char name[MSG_NAME_BYTES];
			char detail[MSG_TEXT_BYTES];   /* "" = none */
			uint64_t flow_id, packet;      /* 0 = none */
			int64_t ts_ns;                 /* INT64_MIN = none */
		} anomaly;
		struct {
			uint32_t idx;
			uint64_t packets;
			struct cap_interface ifc;
			char text[5][MSG_IFACE_TEXT_BYTES];  /* name, description, filter, os, hardware */
		} iface;
		struct {
			struct sock_record r;
			uint32_t process;      /* local id, 0 = none */
			uint64_t packets;
		} socket;
		struct {
			uint32_t process;
			uint64_t packets, flows;
		} counts;
		struct {
			uint64_t offset, packets;
		} progress;
		struct {
			struct capture_result r;   /* status_detail points at detail */
			char detail[MSG_TEXT_BYTES];
		} end;
		char fail[MSG_TEXT_BYTES];
	} u;
};

/* ---- the parser's side */

/* Frames are gathered in a buffer and written to fd when it fills
 * (msg_out_flush, or a full buffer); a failed write is sticky. */
struct msg_out {
	int fd;
	struct wbuf buf;
	bool failed;
	uint32_t processes;    /* local ids given so far */
};

/* Prepares out for fd. false when memory is short. */
bool msg_out_init(struct msg_out *out, int fd);
/* Writes what is gathered; false once any write failed. */
bool msg_out_flush(struct msg_out *out);
void msg_out_free(struct msg_out *out);

void msg_send_hello(struct msg_out *out, const char *sandbox, bool sandbox_complete);
void msg_send_meta(struct msg_out *out, bool pcapng, bool gzip);
/* A process: pr (may be NULL: pid and name only, name may be NULL). Returns
 * its local id (1, 2, ...), 0 past MSG_MAX_PROCESSES. */
uint32_t msg_send_process(struct msg_out *out, enum msg_process_source source, uint32_t pid,
			  const struct proc_record *pr, const char *name);
void msg_send_flow(struct msg_out *out, const struct flow_record *r);
void msg_send_anomaly(struct msg_out *out, const char *name, const char *detail, uint64_t flow_id,
		      uint64_t packet, int64_t ts_ns);
void msg_send_interface(struct msg_out *out, uint32_t idx, const struct cap_interface *ifc,
			uint64_t packets);
void msg_send_socket(struct msg_out *out, const struct sock_record *r, uint32_t process,
		     uint64_t packets);
void msg_send_process_counts(struct msg_out *out, uint32_t process, uint64_t packets,
			     uint64_t flows);
void msg_send_progress(struct msg_out *out, uint64_t offset, uint64_t packets);
void msg_send_end(struct msg_out *out, const struct capture_result *r);
void msg_send_fail(struct msg_out *out, const char *text);

/* ---- the writer's side */

enum msg_read_status { MSG_OK, MSG_NEED_MORE, MSG_INVALID };

/*
 * Decodes the first frame of c into *m (consuming it) when it is whole:
 * MSG_OK; MSG_NEED_MORE when c holds only part of a frame (nothing
 * consumed); MSG_INVALID (why: a static string) when the frame breaks the
 * rules above. processes is the number of local process ids announced so
 * far (ids above it are invalid).
 */
enum msg_read_status msg_decode(struct cur *c, uint32_t processes, struct msg *m,
				const char **why);

/* The store's source name of a process source. */
const char *msg_source_name(uint8_t source);

#endif
