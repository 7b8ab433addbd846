/* \summary: one capture file -> decoder -> flow table -> store, in one transaction */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze/flow_writer.h"
#include "analyze/hasher.h"
#include "analyze/ingest.h"
#include "attrib/attrib.h"
#include "capfile/capfile.h"
#include "capfile/sockrec.h"
#include "decode/decode.h"
#include "flow/flow.h"
#include "util/array.h"
#include "util/progress.h"
#include "util/sha256file.h"

#define WRITER_CHECK_RECORDS 65536u  /* how often to ask the writer thread for errors */

struct ingest {
	struct store *s;
	int64_t capture_id;
	struct capfile *cf;
	struct decoder *dec;
	struct flow_table *ft;
	struct attrib *at;
	struct flow_writer *writer;   /* NULL: flows are written on this thread */
	struct hasher *hasher;        /* the input's hash, while it runs on a thread */
	bool db_failed;
	uint64_t flows, flows_evicted, attributed_flows, processes;
	uint64_t *if_packets;       /* per interface, up to if_cap */
	size_t if_cap;
	int64_t last_ts_ns;
	struct capture_result res;
	uint64_t crash_at_packet;   /* test hook, 0 = off */
	struct ingest_status *status;   /* shared with a supervisor; may be NULL */
};

static void db_check(struct ingest *ig, int rc)
{
	if (rc != STORE_OK)
		ig->db_failed = true;
}

/* Around store calls while the writer thread may be using the connection. */
static void db_lock(struct ingest *ig)
{
	if (ig->writer != NULL)
		flow_writer_lock_db(ig->writer);
}

static void db_unlock(struct ingest *ig)
{
	if (ig->writer != NULL)
		flow_writer_unlock_db(ig->writer);
}

static void anomaly(struct ingest *ig, const char *name, const char *detail, uint64_t flow_id,
		    uint64_t packet, int64_t ts_ns)
{
	if (!store_anomaly_count(ig->s, name))
		return;
	db_lock(ig);
	db_check(ig, store_anomaly_row(ig->s, ig->capture_id, name, detail, flow_id, packet, ts_ns));
	db_unlock(ig);
}

static void on_flow_end(void *ctx, const struct flow_record *r)
{
	struct ingest *ig = ctx;

	ig->flows++;
	if (r->why == FLOW_END_EVICTED) {
		/* the memory cap pushed a live flow out: it may continue as a new one */
		ig->flows_evicted++;
		anomaly(ig, "flow_table_full", NULL, r->id, r->first.packet_no, r->last_ts_ns);
	}
	attrib_flow_end(ig->at, r);
	if (ig->writer != NULL)
		flow_writer_commit(ig->writer);   /* r is the writer's slot */
	else
		db_check(ig, store_flow(ig->s, ig->capture_id, r));
}

/* The writer's batch slot, where the flow table builds each record. */
static struct flow_record *writer_slot(void *ctx)
{
	return flow_writer_slot(ctx);
}

/* attrib_ops.add_process: a processes row. */
static int64_t add_process(void *ctx, const char *source, uint32_t pid,
			   const struct proc_record *pr, const char *name)
{
	struct ingest *ig = ctx;
	int64_t row = 0;
	int rc;

	db_lock(ig);
	rc = store_process(ig->s, ig->capture_id, source, pid, pr, name, &row);
	db_unlock(ig);
	if (rc != STORE_OK) {
		ig->db_failed = true;
		return 0;
	}
	ig->processes++;
	return row;
}

/* attrib_ops.anomaly */
static void attrib_anomaly(void *ctx, const char *name)
{
	anomaly(ctx, name, NULL, 0, 0, INT64_MIN);
}

static void count_interface_packet(struct ingest *ig, uint32_t iface)
{
	/* the interface count bounds the array: files may hold many interfaces */
	if (iface >= ig->if_cap && (iface >= capfile_interface_count(ig->cf) ||
				    !ARRAY_RESERVE(ig->if_packets, ig->if_cap, (size_t)iface + 1, 4)))
		return;
	ig->if_packets[iface]++;
}

static void on_packet(struct ingest *ig, const struct cap_packet *pkt)
{
	const struct cap_interface *ifc = capfile_interface(ig->cf, pkt->iface);
	int64_t ts = pkt->has_ts ? pkt->ts_ns : ig->last_ts_ns;
	struct decoded d;
	struct flow_pkt fp = { 0 };

	ig->res.packets++;
	if (ig->status != NULL)
		__atomic_store_n(&ig->status->packets, ig->res.packets, __ATOMIC_RELAXED);
	if (ig->res.packets == ig->crash_at_packet)
		abort();   /* test only: a dissector crash, for the supervisor to record */
	count_interface_packet(ig, pkt->iface);
	if (pkt->has_ts) {
		if (!ig->res.have_ts || ts < ig->res.first_ts_ns)
			ig->res.first_ts_ns = ts;
		if (!ig->res.have_ts || ts > ig->res.last_ts_ns)
			ig->res.last_ts_ns = ts;
		ig->res.have_ts = true;
		ig->last_ts_ns = ts;
	}
	if (decode_packet(ig->dec, ifc->linktype, pkt->data, pkt->caplen, pkt->origlen, ts, &d) &&
	    !d.fragment)
		flow_table_packet(ig->ft, &d, ts, pkt->number, pkt->origlen, &fp);
	for (uint8_t i = 0; i < d.n_anomalies; i++)
		anomaly(ig, d.anomaly[i], NULL, fp.flow_id, pkt->number, ts);
	attrib_packet(ig->at, pkt, &d, ts, &fp);
}

static void on_record(struct ingest *ig, const struct cap_record *rec)
{
	switch (rec->kind) {
	case CAP_REC_PACKET:
		on_packet(ig, &rec->u.pkt);
		break;
	case CAP_REC_SECTION:
		attrib_section(ig->at);
		break;
	case CAP_REC_CUSTOM:
		if (sockrec_is_socket(rec))
			attrib_socket_record(ig->at, rec);
		else
			attrib_process_record(ig->at, rec);
		break;
	case CAP_REC_DARWIN_PROCESS:
		attrib_process_record(ig->at, rec);
		break;
	case CAP_REC_BAD_BLOCK:
		anomaly(ig, "bad_block", rec->bad_reason, 0, 0, INT64_MIN);
		break;
	default:
		break;
	}
	if (rec->options_bad)
		anomaly(ig, "bad_options", cap_block_name(rec->block_type), 0,
			rec->kind == CAP_REC_PACKET ? rec->u.pkt.number : 0, INT64_MIN);
}

static void write_counts(void *ctx, int64_t row, uint64_t packets, uint64_t flows)
{
	struct ingest *ig = ctx;

	if (packets || flows)
		db_check(ig, store_process_counts(ig->s, row, packets, flows));
}

static void write_socket(void *ctx, const struct sock_record *r, int64_t process_row,
			 uint64_t packets)
{
	struct ingest *ig = ctx;

	db_check(ig, store_socket(ig->s, ig->capture_id, r, process_row, packets));
}

static void finish(struct ingest *ig, enum cap_status st)
{
	struct flow_stats fs;
	struct attrib_stats as;

	flow_table_flush(ig->ft);
	if (ig->writer != NULL) {
		flow_table_set_record_slot(ig->ft, NULL, NULL);   /* the slots go with the writer */
		db_check(ig, flow_writer_finish(ig->writer));
		ig->writer = NULL;
	}
	flow_table_get_stats(ig->ft, &fs);
	attrib_each_process(ig->at, write_counts, ig);
	attrib_each_socket(ig->at, write_socket, ig);
	attrib_get_stats(ig->at, &as);
	for (uint32_t i = 0; i < capfile_interface_count(ig->cf); i++)
		db_check(ig, store_interface(ig->s, ig->capture_id, i, capfile_interface(ig->cf, i),
					     i < ig->if_cap ? ig->if_packets[i] : 0));
	if (st != CAP_END)
		anomaly(ig, st == CAP_TRUNCATED ? "truncated_file" : "corrupt_file",
			capfile_error(ig->cf), 0, 0, INT64_MIN);
	ig->res.status = st;
	ig->res.status_detail = capfile_error(ig->cf);
	ig->res.error_offset = capfile_error_offset(ig->cf);
	ig->res.flows = ig->flows;
	ig->res.flows_evicted = ig->flows_evicted;
	ig->res.attributed_packets = as.attributed_packets;
	ig->res.reattributed_packets = as.reattributed_packets;
	ig->attributed_flows = as.attributed_flows;
	ig->res.unattributed_flows = ig->flows - as.attributed_flows;
}

static void ingest_free(struct ingest *ig)
{
	char sha[SHA256_HEX_BYTES];

	if (ig->hasher != NULL)
		(void)hasher_finish(ig->hasher, sha);   /* the thread reads ig->status */
	if (ig->writer != NULL)
		flow_writer_finish(ig->writer);
	flow_table_free(ig->ft);
	decoder_free(ig->dec);
	attrib_free(ig->at);
	capfile_close(ig->cf);
	free(ig->if_packets);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool ingest_setup(struct ingest *ig, const struct ingest_options *o)
{
	struct flow_config fc;

	flow_config_default(&fc);
	if (o->max_flows)
		fc.max_flows = o->max_flows;
	ig->dec = decoder_new(NULL);
	ig->at = attrib_new(&(struct attrib_ops){ add_process, attrib_anomaly, ig });
	ig->ft = flow_table_new(&fc, on_flow_end, ig);
	/* without a thread the flows are simply written here */
	ig->writer = flow_writer_start(ig->s, ig->capture_id);
	if (ig->ft != NULL && ig->writer != NULL)
		flow_table_set_record_slot(ig->ft, writer_slot, ig->writer);
	return ig->dec && ig->at && ig->ft;
}

/* Checks the open file is a capture; fd stays open (for the hash). */
static struct capfile *open_capture(int fd, const char *path, char *msg, size_t msglen)
{
	bool not_capture;
	struct capfile *cf;
	char err[300];

	cf = capfile_open_fd(dup(fd), path, err, sizeof(err), &not_capture);
	if (cf == NULL)
		snprintf(msg, msglen, "%s", err);
	return cf;
}

static enum cap_status read_all(struct ingest *ig, const char *path, bool progress)
{
	struct cap_record rec;
	struct progress pg;
	enum cap_status st;

	progress_begin(&pg, path, capfile_gzipped(ig->cf) ? 0 : capfile_size(ig->cf), progress);
	for (uint64_t n = 1; (st = capfile_next(ig->cf, &rec)) == CAP_OK && !ig->db_failed; n++) {
		on_record(ig, &rec);
		progress_update(&pg, capfile_offset(ig->cf), ig->res.packets);
		if (n % WRITER_CHECK_RECORDS == 0 && ig->writer != NULL && flow_writer_failed(ig->writer))
			ig->db_failed = true;
	}
	progress_end(&pg);
	return st;
}

enum ingest_result ingest_file(struct store *s, const char *path, const struct ingest_options *o,
			       struct ingest_totals *totals, char *msg, size_t msglen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(msg, msglen, "cannot open: %s", strerror(errno));
		return INGEST_FAILED;
	}
	return ingest_fd(s, fd, path, o, totals, msg, msglen);
}

/* The file's description, before its hash is known. */
static void publish_meta(struct ingest_status *status, const struct capture_meta *m)
{
	if (status == NULL)
		return;
	snprintf(status->format, sizeof(status->format), "%s", m->format);
	status->gzip = m->gzip;
	status->size_bytes = m->size_bytes;
	status->have_meta = true;
}

/* The hash, once known (on the hashing thread, or this one). */
static void publish_sha256(void *ctx, const char *hex)
{
	struct ingest_status *status = ctx;

	if (status == NULL)
		return;
	snprintf(status->sha256_hex, sizeof(status->sha256_hex), "%s", hex);
	__atomic_store_n(&status->have_sha256, true, __ATOMIC_RELEASE);
}

/*
 * Starts the hash of fd: on a thread that runs while the file is decoded
 * (ig->hasher), or, when a capture of the same size is already present
 * (the file may be one: it must not be analysed twice) or fd is no regular
 * file, here and now into sha (then m->sha256_hex is set). Closes fd.
 */
static int start_hash(struct ingest *ig, int fd, struct capture_meta *m, char *sha)
{
	struct stat st;
	int rc = 0, err;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && !store_size_present(ig->s, m->size_bytes))
		ig->hasher = hasher_start(fd, publish_sha256, ig->status);
	if (ig->hasher == NULL) {
		rc = sha256_fd(fd, sha);
		if (rc == 0) {
			m->sha256_hex = sha;
			publish_sha256(ig->status, sha);
		}
	}
	err = errno;
	close(fd);
	errno = err;
	return rc;
}

/*
 * Gives the capture its hash when it was computed during the decoding:
 * INGEST_DONE, INGEST_SKIPPED when another run stored the same file in the
 * meantime, INGEST_FAILED (msg) when the file could not be read.
 */
static enum ingest_result finish_hash(struct ingest *ig, char *msg, size_t msglen)
{
	char sha[SHA256_HEX_BYTES];
	struct hasher *h = ig->hasher;
	int rc;

	if (h == NULL)
		return INGEST_DONE;
	ig->hasher = NULL;
	if (hasher_finish(h, sha) != 0) {
		snprintf(msg, msglen, "cannot read: %s", strerror(errno));
		return INGEST_FAILED;
	}
	rc = store_set_capture_sha256(ig->s, ig->capture_id, sha);
	if (rc == STORE_ERROR)
		snprintf(msg, msglen, "database: %s", store_error(ig->s));
	return rc == STORE_OK ? INGEST_DONE : rc == STORE_EXISTS ? INGEST_SKIPPED : INGEST_FAILED;
}

/* Reads the capture begun in ig into the store and commits it. */
static enum ingest_result ingest_capture(struct ingest *ig, const struct ingest_options *o,
					 const char *path, struct ingest_totals *totals,
					 char *msg, size_t msglen)
{
	enum cap_status st;
	enum ingest_result hashed;
	double t1 = now_s(), t2, t3;

	st = read_all(ig, path, o->progress);
	t2 = now_s();
	finish(ig, st);
	t3 = now_s();
	totals->read_s += t2 - t1;
	totals->drain_s += t3 - t2;
	/* the hash's thread, if still running, is all that is waited for here */
	hashed = finish_hash(ig, msg, msglen);
	totals->hash_s += now_s() - t3;
	if (hashed != INGEST_DONE) {
		store_abort_capture(ig->s);
		return hashed;
	}
	t3 = now_s();
	if (ig->db_failed || store_end_capture(ig->s, ig->capture_id, &ig->res) != STORE_OK) {
		snprintf(msg, msglen, "database: %s", store_error(ig->s));
		store_abort_capture(ig->s);
		return INGEST_FAILED;
	}
	totals->commit_s += now_s() - t3;
	if (st == CAP_END)
		return INGEST_DONE;
	snprintf(msg, msglen, "%s", capfile_error(ig->cf));
	return INGEST_PARTIAL;
}

enum ingest_result ingest_fd(struct store *s, int fd, const char *path,
			     const struct ingest_options *o, struct ingest_totals *totals,
			     char *msg, size_t msglen)
{
	struct ingest ig = { .s = s, .crash_at_packet = o->crash_at_packet,
			     .status = o->status };
	struct capture_meta meta;
	char sha[SHA256_HEX_BYTES];
	enum ingest_result result;
	int rc;
	double t0 = now_s();

	msg[0] = '\0';
	ig.cf = open_capture(fd, path, msg, msglen);
	if (ig.cf == NULL) {
		close(fd);
		return INGEST_FAILED;
	}
	meta = (struct capture_meta){ NULL, path,
		capfile_format(ig.cf) == CAP_FORMAT_PCAPNG ? "pcapng" : "pcap",
		capfile_gzipped(ig.cf), capfile_size(ig.cf), o->sandbox };
	publish_meta(o->status, &meta);
	rc = start_hash(&ig, fd, &meta, sha);
	totals->hash_s += now_s() - t0;
	if (rc != 0) {
		snprintf(msg, msglen, "cannot read: %s", strerror(errno));
		ingest_free(&ig);
		return INGEST_FAILED;
	}
	rc = store_begin_capture(s, &meta, &ig.capture_id);
	if (rc != STORE_OK) {
		if (rc == STORE_ERROR)
			snprintf(msg, msglen, "database: %s", store_error(s));
		ingest_free(&ig);
		return rc == STORE_EXISTS ? INGEST_SKIPPED : INGEST_FAILED;
	}
	if (!ingest_setup(&ig, o)) {
		snprintf(msg, msglen, "out of memory");
		store_abort_capture(s);
		ingest_free(&ig);
		return INGEST_FAILED;
	}
	result = ingest_capture(&ig, o, path, totals, msg, msglen);
	if (result == INGEST_DONE || result == INGEST_PARTIAL) {
		totals->packets += ig.res.packets;
		totals->flows += ig.flows;
		totals->processes += ig.processes;
		totals->attributed_flows += ig.attributed_flows;
		totals->bytes += capfile_size(ig.cf);
	}
	ingest_free(&ig);
	return result;
}
