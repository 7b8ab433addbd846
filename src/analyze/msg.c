/* \summary: encoding and validating the parser's messages (see msg.h) */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "analyze/msg.h"

#define OUT_BUF_BYTES (256u * 1024u)   /* gathered before one write() */
#define FLUSH_AT (OUT_BUF_BYTES - MSG_MAX_PAYLOAD - MSG_HEADER_BYTES)
#define ADDR_BYTES 16

/* Zeek's conn_state values: a record's conn_state must be one of them. */
static const char *const conn_states[] = {
	"S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH",
};

static const char *const source_names[MSG_SRC_COUNT] = {
	[MSG_SRC_EPB_PID] = "epb-pid", [MSG_SRC_PKTAP] = "pktap",
	[MSG_SRC_SOCKET_RECORD] = "socket-record", [MSG_SRC_PCAPNG_BLOCK] = "pcapng-process-block",
	[MSG_SRC_DARWIN_BLOCK] = "darwin-process-block",
};

const char *msg_source_name(uint8_t source)
{
	return source > 0 && source < MSG_SRC_COUNT ? source_names[source] : "?";
}

/* ---------------------------------------------------------------- parser */

bool msg_out_init(struct msg_out *out, int fd)
{
	memset(out, 0, sizeof(*out));
	out->fd = fd;
	return wbuf_init_growable(&out->buf, OUT_BUF_BYTES, OUT_BUF_BYTES);
}

void msg_out_free(struct msg_out *out)
{
	wbuf_release(&out->buf);
}

bool msg_out_flush(struct msg_out *out)
{
	const uint8_t *p = wbuf_data(&out->buf);
	size_t left = wbuf_len(&out->buf);

	while (!out->failed && left > 0) {
		ssize_t n = write(out->fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			out->failed = true;
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	wbuf_truncate(&out->buf, 0);
	return !out->failed;
}

/* Starts a frame; its length is patched by frame_end. */
static size_t frame_begin(struct msg_out *out, enum msg_type type)
{
	size_t at;

	if (wbuf_len(&out->buf) > FLUSH_AT)
		msg_out_flush(out);
	wbuf_put_u8(&out->buf, (uint8_t)type);
	wbuf_reserve_u32(&out->buf, &at);
	return at;
}

static void frame_end(struct msg_out *out, size_t at)
{
	wbuf_patch_u32_e(&out->buf, at, true, (uint32_t)(wbuf_len(&out->buf) - at - 4));
	if (wbuf_failed(&out->buf))
		out->failed = true;   /* a frame over the buffer: a bug, never silent */
}

/* A string, cut to max - 1 bytes (its decoded buffer's room for the NUL). */
static void put_str(struct wbuf *w, const char *s, size_t max)
{
	size_t n = s ? strnlen(s, max - 1) : 0;

	wbuf_put_be16(w, (uint16_t)n);
	wbuf_put_bytes(w, s, n);
}

static void put_endpoints(struct wbuf *w, const struct ip_endpoints *e)
{
	wbuf_put_u8(w, e->version);
	wbuf_put_u8(w, e->proto);
	wbuf_put_bytes(w, e->src, ADDR_BYTES);
	wbuf_put_bytes(w, e->dst, ADDR_BYTES);
	wbuf_put_be16(w, e->sport);
	wbuf_put_be16(w, e->dport);
}

static void put_counts(struct wbuf *w, const struct flow_counts *c)
{
	wbuf_put_be64(w, c->pkts);
	wbuf_put_be64(w, c->ip_bytes);
	wbuf_put_be64(w, c->frame_bytes);
	wbuf_put_be64(w, c->payload_bytes);
	wbuf_put_be64(w, c->missed_bytes);
}

void msg_send_hello(struct msg_out *out, const char *sandbox, bool sandbox_complete)
{
	size_t at = frame_begin(out, MSG_HELLO);

	wbuf_put_be32(&out->buf, MSG_VERSION);
	wbuf_put_u8(&out->buf, sandbox_complete);
	put_str(&out->buf, sandbox, MSG_TEXT_BYTES);
	frame_end(out, at);
}

void msg_send_meta(struct msg_out *out, bool pcapng, bool gzip)
{
	size_t at = frame_begin(out, MSG_META);

	wbuf_put_u8(&out->buf, pcapng);
	wbuf_put_u8(&out->buf, gzip);
	frame_end(out, at);
}

uint32_t msg_send_process(struct msg_out *out, enum msg_process_source source, uint32_t pid,
			  const struct proc_record *pr, const char *name)
{
	struct wbuf *w = &out->buf;
	size_t at;

	if (out->processes >= MSG_MAX_PROCESSES)
		return 0;
	at = frame_begin(out, MSG_PROCESS);
	wbuf_put_u8(w, (uint8_t)source);
	wbuf_put_be32(w, pid);
	wbuf_put_u8(w, pr != NULL);
	if (pr == NULL) {
		put_str(w, name, PROC_NAME_BYTES);
	} else {
		wbuf_put_u8(w, (uint8_t)(pr->has_ppid | pr->has_uid << 1 | pr->has_starttime << 2 |
					 pr->has_uuid << 3));
		wbuf_put_be32(w, pr->ppid);
		wbuf_put_be32(w, pr->uid);
		wbuf_put_be64(w, pr->starttime_ns);
		wbuf_put_bytes(w, pr->uuid, sizeof(pr->uuid));
		put_str(w, pr->name, PROC_NAME_BYTES);
		put_str(w, pr->path, PROC_PATH_BYTES);
		put_str(w, pr->user, PROC_USER_BYTES);
		wbuf_put_be16(w, (uint16_t)(pr->cmdline_len < PROC_CMDLINE_BYTES ? pr->cmdline_len
									  : PROC_CMDLINE_BYTES));
		wbuf_put_bytes(w, pr->cmdline,
			       pr->cmdline_len < PROC_CMDLINE_BYTES ? pr->cmdline_len : PROC_CMDLINE_BYTES);
		put_str(w, pr->attribution, PROC_ATTRIBUTION_BYTES);
		put_str(w, pr->cgroup, PROC_PATH_BYTES);
		put_str(w, pr->container, PROC_CONTAINER_BYTES);
	}
	frame_end(out, at);
	return ++out->processes;
}

void msg_send_flow(struct msg_out *out, const struct flow_record *r)
{
	struct wbuf *w = &out->buf;
	size_t at = frame_begin(out, MSG_FLOW);

	wbuf_put_be64(w, r->id);
	put_endpoints(w, &r->key);
	wbuf_put_be64(w, (uint64_t)r->first_ts_ns);
	wbuf_put_be64(w, (uint64_t)r->last_ts_ns);
	put_counts(w, &r->orig);
	put_counts(w, &r->resp);
	put_str(w, r->history, FLOW_HISTORY_BYTES);
	put_str(w, r->conn_state, MSG_NAME_BYTES);
	wbuf_put_u8(w, r->flipped);
	wbuf_put_be16(w, r->first.vlan);
	wbuf_put_be16(w, r->first.inner_vlan);
	wbuf_put_u8(w, r->first.n_vlans);
	wbuf_put_u8(w, (uint8_t)r->first.tunnel);
	put_endpoints(w, &r->first.tunnel_outer);
	wbuf_put_be64(w, r->first.packet_no);
	wbuf_put_be32(w, r->first.capture_id);
	put_str(w, r->community_id, COMMUNITY_ID_BYTES);
	wbuf_put_u8(w, (uint8_t)r->why);
	wbuf_put_be64(w, (uint64_t)r->attrib.process_row);
	wbuf_put_be64(w, (uint64_t)r->attrib.resp_process_row);
	wbuf_put_be64(w, r->attrib.attributed_pkts);
	wbuf_put_u8(w, r->attrib.process_from_resp);
	frame_end(out, at);
}

void msg_send_anomaly(struct msg_out *out, const char *name, const char *detail, uint64_t flow_id,
		      uint64_t packet, int64_t ts_ns)
{
	size_t at = frame_begin(out, MSG_ANOMALY);

	put_str(&out->buf, name, MSG_NAME_BYTES);
	put_str(&out->buf, detail, MSG_TEXT_BYTES);
	wbuf_put_be64(&out->buf, flow_id);
	wbuf_put_be64(&out->buf, packet);
	wbuf_put_be64(&out->buf, (uint64_t)ts_ns);
	frame_end(out, at);
}

void msg_send_interface(struct msg_out *out, uint32_t idx, const struct cap_interface *ifc,
			uint64_t packets)
{
	struct wbuf *w = &out->buf;
	size_t at = frame_begin(out, MSG_INTERFACE);

	wbuf_put_be32(w, idx);
	wbuf_put_be64(w, packets);
	wbuf_put_be32(w, ifc->section);
	wbuf_put_be32(w, ifc->linktype);
	wbuf_put_be32(w, ifc->snaplen);
	wbuf_put_u8(w, ifc->tsresol);
	wbuf_put_u8(w, ifc->tsresol_set);
	wbuf_put_be64(w, (uint64_t)ifc->tsoffset_s);
	wbuf_put_u8(w, ifc->fcslen);
	wbuf_put_u8(w, ifc->fcslen_set);
	wbuf_put_be64(w, ifc->speed_bps);
	put_str(w, ifc->name, MSG_IFACE_TEXT_BYTES);
	put_str(w, ifc->description, MSG_IFACE_TEXT_BYTES);
	put_str(w, ifc->filter, MSG_IFACE_TEXT_BYTES);
	put_str(w, ifc->os, MSG_IFACE_TEXT_BYTES);
	put_str(w, ifc->hardware, MSG_IFACE_TEXT_BYTES);
	frame_end(out, at);
}

void msg_send_socket(struct msg_out *out, const struct sock_record *r, uint32_t process,
		     uint64_t packets)
{
	struct wbuf *w = &out->buf;
	size_t at = frame_begin(out, MSG_SOCKET);

	wbuf_put_u8(w, r->family);
	wbuf_put_u8(w, r->ip_proto);
	wbuf_put_u8(w, (uint8_t)(r->listener | r->final << 1));
	wbuf_put_be16(w, r->lport);
	wbuf_put_be16(w, r->rport);
	wbuf_put_bytes(w, r->laddr, ADDR_BYTES);
	wbuf_put_bytes(w, r->raddr, ADDR_BYTES);
	wbuf_put_be64(w, r->cookie);
	wbuf_put_be32(w, r->pid);
	wbuf_put_be32(w, r->tid);
	wbuf_put_be64(w, (uint64_t)r->proc_start_ns);
	wbuf_put_be64(w, (uint64_t)r->first_ns);
	wbuf_put_be64(w, (uint64_t)r->last_ns);
	wbuf_put_u8(w, r->how);
	wbuf_put_be32(w, process);
	wbuf_put_be64(w, packets);
	frame_end(out, at);
}

void msg_send_process_counts(struct msg_out *out, uint32_t process, uint64_t packets,
			     uint64_t flows)
{
	size_t at = frame_begin(out, MSG_PROCESS_COUNTS);

	wbuf_put_be32(&out->buf, process);
	wbuf_put_be64(&out->buf, packets);
	wbuf_put_be64(&out->buf, flows);
	frame_end(out, at);
}

void msg_send_progress(struct msg_out *out, uint64_t offset, uint64_t packets)
{
	size_t at = frame_begin(out, MSG_PROGRESS);

	wbuf_put_be64(&out->buf, offset);
	wbuf_put_be64(&out->buf, packets);
	frame_end(out, at);
}

void msg_send_end(struct msg_out *out, const struct capture_result *r)
{
	struct wbuf *w = &out->buf;
	size_t at = frame_begin(out, MSG_END);

	wbuf_put_be64(w, r->packets);
	wbuf_put_u8(w, r->have_ts);
	wbuf_put_be64(w, (uint64_t)r->first_ts_ns);
	wbuf_put_be64(w, (uint64_t)r->last_ts_ns);
	wbuf_put_u8(w, (uint8_t)r->status);
	wbuf_put_u8(w, r->partial);
	put_str(w, r->status_detail, MSG_TEXT_BYTES);
	wbuf_put_be64(w, r->error_offset);
	wbuf_put_be64(w, r->flows);
	wbuf_put_be64(w, r->flows_evicted);
	wbuf_put_be64(w, r->attributed_packets);
	wbuf_put_be64(w, r->reattributed_packets);
	wbuf_put_be64(w, r->unattributed_flows);
	frame_end(out, at);
}

void msg_send_fail(struct msg_out *out, const char *text)
{
	size_t at = frame_begin(out, MSG_FAIL);

	put_str(&out->buf, text, MSG_TEXT_BYTES);
	frame_end(out, at);
}

/* ---------------------------------------------------------------- writer */

/* A string into buf (room max): no NUL inside, shorter than max. */
static bool get_str(struct cur *c, char *buf, size_t max)
{
	struct cur s;

	if (!cur_u16_prefixed(c, &s) || cur_left(&s) >= max ||
	    memchr(cur_data(&s), '\0', cur_left(&s)) != NULL)
		return false;
	memcpy(buf, cur_data(&s), cur_left(&s));
	buf[cur_left(&s)] = '\0';
	return true;
}

static bool get_i64(struct cur *c, int64_t *v)
{
	uint64_t u;

	if (!cur_be64(c, &u))
		return false;
	memcpy(v, &u, sizeof(*v));
	return true;
}

static bool get_bool(struct cur *c, bool *v)
{
	uint8_t b;

	if (!cur_u8(c, &b) || b > 1)
		return false;
	*v = b;
	return true;
}

static bool get_endpoints(struct cur *c, struct ip_endpoints *e)
{
	return cur_u8(c, &e->version) && (e->version == 0 || e->version == 4 || e->version == 6) &&
	       cur_u8(c, &e->proto) && cur_copy(c, e->src, ADDR_BYTES) &&
	       cur_copy(c, e->dst, ADDR_BYTES) && cur_be16(c, &e->sport) && cur_be16(c, &e->dport);
}

static bool get_counts(struct cur *c, struct flow_counts *n)
{
	return cur_be64(c, &n->pkts) && cur_be64(c, &n->ip_bytes) && cur_be64(c, &n->frame_bytes) &&
	       cur_be64(c, &n->payload_bytes) && cur_be64(c, &n->missed_bytes);
}

/* A process id field: 0 (none) or one announced before. */
static bool get_process_ref(struct cur *c, uint32_t processes, int64_t *v)
{
	uint64_t u;

	if (!cur_be64(c, &u) || u > processes)
		return false;
	*v = (int64_t)u;
	return true;
}

static bool decode_process(struct cur *c, struct msg *m)
{
	struct proc_record *pr = &m->u.process.pr;
	uint8_t flags;
	uint16_t cmd_len;

	memset(&m->u.process, 0, sizeof(m->u.process));
	if (!cur_u8(c, &m->u.process.source) || m->u.process.source == 0 ||
	    m->u.process.source >= MSG_SRC_COUNT || !cur_be32(c, &m->u.process.pid) ||
	    !get_bool(c, &m->u.process.has_record))
		return false;
	if (!m->u.process.has_record)
		return get_str(c, m->u.process.name, sizeof(m->u.process.name));
	pr->pid = m->u.process.pid;
	pr->source = m->u.process.source == MSG_SRC_DARWIN_BLOCK ? PROC_SRC_DARWIN
								 : PROC_SRC_WIRESHARK;
	if (!cur_u8(c, &flags) || flags > 0xf || !cur_be32(c, &pr->ppid) || !cur_be32(c, &pr->uid) ||
	    !cur_be64(c, &pr->starttime_ns) || !cur_copy(c, pr->uuid, sizeof(pr->uuid)) ||
	    !get_str(c, pr->name, sizeof(pr->name)) || !get_str(c, pr->path, sizeof(pr->path)) ||
	    !get_str(c, pr->user, sizeof(pr->user)) || !cur_be16(c, &cmd_len) ||
	    cmd_len > PROC_CMDLINE_BYTES || !cur_copy(c, pr->cmdline, cmd_len) ||
	    !get_str(c, pr->attribution, sizeof(pr->attribution)) ||
	    !get_str(c, pr->cgroup, sizeof(pr->cgroup)) ||
	    !get_str(c, pr->container, sizeof(pr->container)))
		return false;
	pr->has_ppid = flags & 1;
	pr->has_uid = flags & 2;
	pr->has_starttime = flags & 4;
	pr->has_uuid = flags & 8;
	pr->cmdline_len = cmd_len;
	return true;
}

static bool decode_flow(struct cur *c, uint32_t processes, struct msg *m)
{
	struct flow_record *r = &m->u.flow;
	char state[MSG_NAME_BYTES];
	uint8_t tunnel, why;

	memset(r, 0, sizeof(*r));
	if (!cur_be64(c, &r->id) || r->id == 0 || !get_endpoints(c, &r->key) || r->key.version == 0 ||
	    !get_i64(c, &r->first_ts_ns) || !get_i64(c, &r->last_ts_ns) ||
	    !get_counts(c, &r->orig) || !get_counts(c, &r->resp) ||
	    !get_str(c, r->history, sizeof(r->history)) || !get_str(c, state, sizeof(state)) ||
	    !get_bool(c, &r->flipped) || !cur_be16(c, &r->first.vlan) ||
	    !cur_be16(c, &r->first.inner_vlan) || !cur_u8(c, &r->first.n_vlans) ||
	    !cur_u8(c, &tunnel) || tunnel > TUNNEL_TEREDO ||
	    !get_endpoints(c, &r->first.tunnel_outer) || !cur_be64(c, &r->first.packet_no) ||
	    !cur_be32(c, &r->first.capture_id) ||
	    !get_str(c, r->community_id, sizeof(r->community_id)) || !cur_u8(c, &why) ||
	    why < FLOW_END_TIMEOUT || why > FLOW_END_REUSED ||
	    !get_process_ref(c, processes, &r->attrib.process_row) ||
	    !get_process_ref(c, processes, &r->attrib.resp_process_row) ||
	    !cur_be64(c, &r->attrib.attributed_pkts) || !get_bool(c, &r->attrib.process_from_resp))
		return false;
	r->first.tunnel = (enum decode_tunnel)tunnel;
	r->why = (enum flow_end_reason)why;
	for (size_t i = 0; i < sizeof(conn_states) / sizeof(conn_states[0]); i++)
		if (strcmp(state, conn_states[i]) == 0)
			r->conn_state = conn_states[i];
	return r->conn_state != NULL;
}

/* Anomaly names are identifiers: letters, digits, '_'. */
static bool name_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static bool decode_anomaly(struct cur *c, struct msg *m)
{
	uint64_t ts;

	return get_str(c, m->u.anomaly.name, sizeof(m->u.anomaly.name)) &&
	       name_ok(m->u.anomaly.name) &&
	       get_str(c, m->u.anomaly.detail, sizeof(m->u.anomaly.detail)) &&
	       cur_be64(c, &m->u.anomaly.flow_id) && cur_be64(c, &m->u.anomaly.packet) &&
	       cur_be64(c, &ts) && (memcpy(&m->u.anomaly.ts_ns, &ts, sizeof(ts)), true);
}

static bool decode_interface(struct cur *c, struct msg *m)
{
	struct cap_interface *ifc = &m->u.iface.ifc;
	char **fields[5] = { &ifc->name, &ifc->description, &ifc->filter, &ifc->os, &ifc->hardware };

	memset(&m->u.iface, 0, sizeof(m->u.iface));
	if (!cur_be32(c, &m->u.iface.idx) || !cur_be64(c, &m->u.iface.packets) ||
	    !cur_be32(c, &ifc->section) || !cur_be32(c, &ifc->linktype) ||
	    !cur_be32(c, &ifc->snaplen) || !cur_u8(c, &ifc->tsresol) ||
	    !get_bool(c, &ifc->tsresol_set) || !get_i64(c, &ifc->tsoffset_s) ||
	    !cur_u8(c, &ifc->fcslen) || !get_bool(c, &ifc->fcslen_set) ||
	    !cur_be64(c, &ifc->speed_bps))
		return false;
	for (int i = 0; i < 5; i++) {
		if (!get_str(c, m->u.iface.text[i], MSG_IFACE_TEXT_BYTES))
			return false;
		/* absent and empty are one: NULL, as the reader gives them */
		*fields[i] = m->u.iface.text[i][0] ? m->u.iface.text[i] : NULL;
	}
	return true;
}

static bool decode_socket(struct cur *c, uint32_t processes, struct msg *m)
{
	struct sock_record *r = &m->u.socket.r;
	uint8_t flags;

	memset(&m->u.socket, 0, sizeof(m->u.socket));
	if (!cur_u8(c, &r->family) || (r->family != 4 && r->family != 6) ||
	    !cur_u8(c, &r->ip_proto) || !cur_u8(c, &flags) || flags > 3 ||
	    !cur_be16(c, &r->lport) || !cur_be16(c, &r->rport) ||
	    !cur_copy(c, r->laddr, ADDR_BYTES) || !cur_copy(c, r->raddr, ADDR_BYTES) ||
	    !cur_be64(c, &r->cookie) || !cur_be32(c, &r->pid) || !cur_be32(c, &r->tid) ||
	    !get_i64(c, &r->proc_start_ns) || !get_i64(c, &r->first_ns) ||
	    !get_i64(c, &r->last_ns) || !cur_u8(c, &r->how) || r->how > SOCKREC_HOW_PROCFS ||
	    !cur_be32(c, &m->u.socket.process) || m->u.socket.process > processes ||
	    !cur_be64(c, &m->u.socket.packets))
		return false;
	r->listener = flags & 1;
	r->final = flags & 2;
	return true;
}

static bool decode_end(struct cur *c, struct msg *m)
{
	struct capture_result *r = &m->u.end.r;
	uint8_t status;

	memset(&m->u.end, 0, sizeof(m->u.end));
	if (!cur_be64(c, &r->packets) || !get_bool(c, &r->have_ts) ||
	    !get_i64(c, &r->first_ts_ns) || !get_i64(c, &r->last_ts_ns) ||
	    !cur_u8(c, &status) || status < CAP_END || status > CAP_IO_ERROR ||
	    !get_bool(c, &r->partial) ||
	    !get_str(c, m->u.end.detail, sizeof(m->u.end.detail)) ||
	    !cur_be64(c, &r->error_offset) || !cur_be64(c, &r->flows) ||
	    !cur_be64(c, &r->flows_evicted) || !cur_be64(c, &r->attributed_packets) ||
	    !cur_be64(c, &r->reattributed_packets) || !cur_be64(c, &r->unattributed_flows))
		return false;
	r->status = (enum cap_status)status;
	r->status_detail = m->u.end.detail[0] ? m->u.end.detail : NULL;
	return true;
}

/* The payload of a frame of this type, whole. */
static bool decode_payload(struct cur *c, uint8_t type, uint32_t processes, struct msg *m)
{
	switch (type) {
	case MSG_HELLO:
		return cur_be32(c, &m->u.hello.version) && get_bool(c, &m->u.hello.sandbox_complete) &&
		       get_str(c, m->u.hello.sandbox, sizeof(m->u.hello.sandbox));
	case MSG_META:
		return get_bool(c, &m->u.meta.pcapng) && get_bool(c, &m->u.meta.gzip);
	case MSG_PROCESS:
		return decode_process(c, m);
	case MSG_FLOW:
		return decode_flow(c, processes, m);
	case MSG_ANOMALY:
		return decode_anomaly(c, m);
	case MSG_INTERFACE:
		return decode_interface(c, m);
	case MSG_SOCKET:
		return decode_socket(c, processes, m);
	case MSG_PROCESS_COUNTS:
		return cur_be32(c, &m->u.counts.process) && m->u.counts.process >= 1 &&
		       m->u.counts.process <= processes && cur_be64(c, &m->u.counts.packets) &&
		       cur_be64(c, &m->u.counts.flows);
	case MSG_PROGRESS:
		return cur_be64(c, &m->u.progress.offset) && cur_be64(c, &m->u.progress.packets);
	case MSG_END:
		return decode_end(c, m);
	case MSG_FAIL:
		return get_str(c, m->u.fail, sizeof(m->u.fail));
	default:
		return false;
	}
}

enum msg_read_status msg_decode(struct cur *c, uint32_t processes, struct msg *m,
				const char **why)
{
	struct cur t = *c, payload;
	uint8_t type;
	uint32_t len;

	if (cur_left(c) < MSG_HEADER_BYTES) {
		*why = "a frame cut short";
		return MSG_NEED_MORE;
	}
	(void)cur_u8(&t, &type);
	(void)cur_be32(&t, &len);
	if (type == 0 || type >= MSG_TYPE_COUNT) {
		*why = "unknown message type";
		return MSG_INVALID;
	}
	if (len > MSG_MAX_PAYLOAD) {
		*why = "message longer than allowed";
		return MSG_INVALID;
	}
	if (!cur_sub(&t, len, &payload)) {
		*why = "a frame cut short";
		return MSG_NEED_MORE;
	}
	m->type = (enum msg_type)type;
	if (!decode_payload(&payload, type, processes, m) || cur_left(&payload) != 0) {
		*why = "malformed message";
		return MSG_INVALID;
	}
	*c = t;
	return MSG_OK;
}
