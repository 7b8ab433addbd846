/* \summary: one capture file -> decoder -> flow table -> attribution -> messages to the writer */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/msg.h"
#include "analyze/parser.h"
#include "attrib/attrib.h"
#include "capfile/capfile.h"
#include "capfile/sockrec.h"
#include "decode/decode.h"
#include "flow/flow.h"
#include "util/array.h"

#define PROGRESS_EVERY_RECORDS 4096u

struct parser {
	struct msg_out out;
	struct capfile *cf;
	struct decoder *dec;
	struct flow_table *ft;
	struct attrib *at;
	uint64_t flows, flows_evicted;
	uint64_t *if_packets;       /* per interface, up to if_cap */
	size_t if_cap;
	int64_t last_ts_ns;
	struct capture_result res;
	uint64_t crash_at_packet, spin_at_packet;
	uint64_t *packet_counter;
	char oom_detail[128];
};

static void anomaly(struct parser *p, const char *name, const char *detail, uint64_t flow_id,
		    uint64_t packet, int64_t ts_ns)
{
	msg_send_anomaly(&p->out, name, detail, flow_id, packet, ts_ns);
}

static void on_flow_end(void *ctx, const struct flow_record *r)
{
	struct parser *p = ctx;

	p->flows++;
	if (r->why == FLOW_END_EVICTED) {
		/* the memory cap pushed a live flow out: it may continue as a new one */
		p->flows_evicted++;
		anomaly(p, "flow_table_full", NULL, r->id, r->first.packet_no, r->last_ts_ns);
	}
	attrib_flow_end(p->at, r);
	msg_send_flow(&p->out, r);
}

static enum msg_process_source source_of(const char *source)
{
	static const struct { const char *name; enum msg_process_source src; } map[] = {
		{ "epb-pid", MSG_SRC_EPB_PID }, { "pktap", MSG_SRC_PKTAP },
		{ "socket-record", MSG_SRC_SOCKET_RECORD },
		{ "pcapng-process-block", MSG_SRC_PCAPNG_BLOCK },
		{ "darwin-process-block", MSG_SRC_DARWIN_BLOCK },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(source, map[i].name) == 0)
			return map[i].src;
	return MSG_SRC_EPB_PID;
}

/* attrib_ops.add_process: the process's local id, which the writer maps to
 * its row. */
static int64_t add_process(void *ctx, const char *source, uint32_t pid,
			   const struct proc_record *pr, const char *name)
{
	struct parser *p = ctx;

	return msg_send_process(&p->out, source_of(source), pid, pr, name);
}

/* attrib_ops.anomaly */
static void attrib_anomaly(void *ctx, const char *name)
{
	anomaly(ctx, name, NULL, 0, 0, INT64_MIN);
}

/* flow_table_set_anomaly: the table ran out of memory */
static void flow_anomaly(void *ctx, const char *name)
{
	anomaly(ctx, name, NULL, 0, 0, INT64_MIN);
}

static void count_interface_packet(struct parser *p, uint32_t iface)
{
	/* the interface count bounds the array: files may hold many interfaces */
	if (iface >= p->if_cap && (iface >= capfile_interface_count(p->cf) ||
				   !ARRAY_RESERVE(p->if_packets, p->if_cap, (size_t)iface + 1, 4)))
		return;
	p->if_packets[iface]++;
}

static void on_packet(struct parser *p, const struct cap_packet *pkt)
{
	const struct cap_interface *ifc = capfile_interface(p->cf, pkt->iface);
	int64_t ts = pkt->has_ts ? pkt->ts_ns : p->last_ts_ns;
	struct decoded d;
	struct flow_pkt fp = { 0 };

	p->res.packets++;
	if (p->packet_counter != NULL)
		__atomic_store_n(p->packet_counter, p->res.packets, __ATOMIC_RELAXED);
	if (p->res.packets == p->crash_at_packet)
		abort();   /* test only: a dissector crash, for the supervisor to record */
	while (p->res.packets == p->spin_at_packet)
		__atomic_store_n(&p->spin_at_packet, p->spin_at_packet, __ATOMIC_RELAXED);  /* test only */
	count_interface_packet(p, pkt->iface);
	if (pkt->has_ts) {
		if (!p->res.have_ts || ts < p->res.first_ts_ns)
			p->res.first_ts_ns = ts;
		if (!p->res.have_ts || ts > p->res.last_ts_ns)
			p->res.last_ts_ns = ts;
		p->res.have_ts = true;
		p->last_ts_ns = ts;
	}
	if (decode_packet(p->dec, ifc->linktype, pkt->data, pkt->caplen, pkt->origlen, ts, &d) &&
	    !d.fragment)
		flow_table_packet(p->ft, &d, ts, pkt->number, pkt->origlen, &fp);
	for (uint8_t i = 0; i < d.n_anomalies; i++)
		anomaly(p, d.anomaly[i], NULL, fp.flow_id, pkt->number, ts);
	attrib_packet(p->at, pkt, &d, ts, &fp);
}

static void on_record(struct parser *p, const struct cap_record *rec)
{
	switch (rec->kind) {
	case CAP_REC_PACKET:
		on_packet(p, &rec->u.pkt);
		break;
	case CAP_REC_SECTION:
		attrib_section(p->at);
		break;
	case CAP_REC_CUSTOM:
		if (sockrec_is_socket(rec))
			attrib_socket_record(p->at, rec);
		else
			attrib_process_record(p->at, rec);
		break;
	case CAP_REC_DARWIN_PROCESS:
		attrib_process_record(p->at, rec);
		break;
	case CAP_REC_BAD_BLOCK:
		anomaly(p, "bad_block", rec->bad_reason, 0, 0, INT64_MIN);
		break;
	default:
		break;
	}
	if (rec->options_bad)
		anomaly(p, "bad_options", cap_block_name(rec->block_type), 0,
			rec->kind == CAP_REC_PACKET ? rec->u.pkt.number : 0, INT64_MIN);
}

static void send_counts(void *ctx, int64_t process, uint64_t packets, uint64_t flows)
{
	struct parser *p = ctx;

	if (packets || flows)
		msg_send_process_counts(&p->out, (uint32_t)process, packets, flows);
}

static void send_socket(void *ctx, const struct sock_record *r, int64_t process,
			uint64_t packets)
{
	struct parser *p = ctx;

	msg_send_socket(&p->out, r, (uint32_t)process, packets);
}

static void finish(struct parser *p, enum cap_status st)
{
	struct attrib_stats as;
	struct flow_stats fs;

	flow_table_flush(p->ft);
	flow_table_get_stats(p->ft, &fs);
	attrib_each_process(p->at, send_counts, p);
	attrib_each_socket(p->at, send_socket, p);
	attrib_get_stats(p->at, &as);
	for (uint32_t i = 0; i < capfile_interface_count(p->cf); i++)
		msg_send_interface(&p->out, i, capfile_interface(p->cf, i),
				   i < p->if_cap ? p->if_packets[i] : 0);
	if (st != CAP_END)
		anomaly(p, st == CAP_TRUNCATED ? "truncated_file" : "corrupt_file",
			capfile_error(p->cf), 0, 0, INT64_MIN);
	p->res.status = st;
	p->res.status_detail = capfile_error(p->cf);
	p->res.error_offset = capfile_error_offset(p->cf);
	p->res.flows = p->flows;
	p->res.flows_evicted = p->flows_evicted;
	p->res.attributed_packets = as.attributed_packets;
	p->res.reattributed_packets = as.reattributed_packets;
	p->res.unattributed_flows = p->flows - as.attributed_flows;
	/* memory ran out: what is stored is true but not whole (exit 1) */
	if (fs.alloc_failed || fs.lost_pkts || as.alloc_failed) {
		p->res.partial = true;
		if (st == CAP_END) {
			snprintf(p->oom_detail, sizeof(p->oom_detail),
				 "out of memory: %llu allocations refused, %llu packets without a flow",
				 (unsigned long long)(fs.alloc_failed + as.alloc_failed),
				 (unsigned long long)fs.lost_pkts);
			p->res.status_detail = p->oom_detail;
		}
	}
	msg_send_end(&p->out, &p->res);
}

static bool setup(struct parser *p, const struct parser_options *o)
{
	struct flow_config fc;

	flow_config_default(&fc);
	if (o->max_flows)
		fc.max_flows = o->max_flows;
	p->dec = decoder_new(NULL);
	p->at = attrib_new(&(struct attrib_ops){ add_process, attrib_anomaly, p });
	p->ft = flow_table_new(&fc, on_flow_end, p);
	if (p->ft != NULL)
		flow_table_set_anomaly(p->ft, flow_anomaly, p);
	return p->dec && p->at && p->ft;
}

static void parser_free(struct parser *p)
{
	flow_table_free(p->ft);
	decoder_free(p->dec);
	attrib_free(p->at);
	capfile_close(p->cf);
	free(p->if_packets);
	msg_out_free(&p->out);
}

int parser_run(int in_fd, int out_fd, const struct parser_options *o)
{
	struct parser p = { .crash_at_packet = o->crash_at_packet,
			    .spin_at_packet = o->spin_at_packet, .packet_counter = o->packet_counter };
	struct cap_record rec;
	enum cap_status st;
	uint64_t sections = 0;
	bool not_capture;
	char err[MSG_TEXT_BYTES];
	int rc;

	if (!msg_out_init(&p.out, out_fd)) {
		close(in_fd);
		return -1;
	}
	msg_send_hello(&p.out, o->sandbox, o->sandbox_complete);
	msg_out_flush(&p.out);   /* the writer learns the sandbox level even if we crash */
	p.cf = capfile_open_fd(in_fd, "input", err, sizeof(err), &not_capture);
	if (p.cf == NULL) {
		msg_send_fail(&p.out, err);
		goto out;
	}
	msg_send_meta(&p.out, capfile_format(p.cf) == CAP_FORMAT_PCAPNG, capfile_gzipped(p.cf));
	msg_out_flush(&p.out);
	if (!setup(&p, o)) {
		msg_send_fail(&p.out, "out of memory");
		goto out;
	}
	for (uint64_t n = 1; (st = capfile_next(p.cf, &rec)) == CAP_OK && !p.out.failed; n++) {
		sections += rec.kind == CAP_REC_SECTION;
		on_record(&p, &rec);
		if (n % PROGRESS_EVERY_RECORDS == 0)
			msg_send_progress(&p.out, capfile_offset(p.cf), p.res.packets);
	}
	/* one rule with pidcap info: no valid first header, no capture (exit 2) */
	if (!p.out.failed && st != CAP_END && sections == 0) {
		snprintf(err, sizeof(err), "not a capture file: %s", capfile_error(p.cf));
		msg_send_fail(&p.out, err);
	} else if (!p.out.failed) {
		finish(&p, st);
	}
out:
	rc = msg_out_flush(&p.out) ? 0 : -1;
	parser_free(&p);
	return rc;
}

void parser_fail(int out_fd, const char *sandbox, const char *text)
{
	struct msg_out out;

	if (!msg_out_init(&out, out_fd))
		return;
	msg_send_hello(&out, sandbox, false);
	msg_send_fail(&out, text);
	msg_out_flush(&out);
	msg_out_free(&out);
}
