/* \summary: packet decoding entry point: link-type dispatch, decoder state, anomalies */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "capfile/linktype.h"
#include "decode/decode_int.h"
#include "util/units.h"

/* Link types not named in capfile/linktype.h (https://www.tcpdump.org/linktypes.html). */
#define LINKTYPE_RAW_BSD12     12    /* DLT_RAW on most BSDs and macOS */
#define LINKTYPE_RAW_BSD14     14    /* DLT_RAW on OpenBSD */
#define LINKTYPE_PPP_HDLC      50    /* PPP in HDLC-like framing, RFC 1662 */
#define LINKTYPE_PPP_ETHER     51    /* PPPoE session header first, RFC 2516 */
#define LINKTYPE_C_HDLC        104   /* Cisco HDLC: address, control, EtherType */

/* Defaults of struct decoder_limits. */
#define FRAG_DEFAULT_DATAGRAMS 1024u
#define FRAG_DEFAULT_BYTES     (16u * 1024 * 1024)
#define FRAG_DEFAULT_TIMEOUT_NS (30 * NS_PER_SEC)   /* Linux ipfrag_time */

struct decoder *decoder_new(const struct decoder_limits *limits)
{
	struct decoder *d = calloc(1, sizeof(*d));
	uint32_t n = 64;

	if (d == NULL)
		return NULL;
	if (limits != NULL)
		d->lim = *limits;
	if (d->lim.max_frag_packets == 0)
		d->lim.max_frag_packets = FRAG_DEFAULT_DATAGRAMS;
	if (d->lim.max_frag_bytes == 0)
		d->lim.max_frag_bytes = FRAG_DEFAULT_BYTES;
	if (d->lim.frag_timeout_ns <= 0)
		d->lim.frag_timeout_ns = FRAG_DEFAULT_TIMEOUT_NS;
	/* about one bucket per datagram, within [64, 65536] */
	while (n < d->lim.max_frag_packets && n < 65536)
		n <<= 1;
	d->buckets = calloc(n, sizeof(*d->buckets));
	if (d->buckets == NULL) {
		free(d);
		return NULL;
	}
	d->n_buckets = n;
	return d;
}

void decoder_free(struct decoder *d)
{
	if (d == NULL)
		return;
	frag_free_all(d);
	free(d->buckets);
	free(d);
}

void decoder_get_stats(const struct decoder *d, struct decoder_stats *out)
{
	*out = d->stats;
}

void decode_anomaly(struct dstate *st, const char *name)
{
	struct decoded *out = st->out;

	for (uint8_t i = 0; i < out->n_anomalies; i++)
		if (out->anomaly[i] == name || strcmp(out->anomaly[i], name) == 0)
			return;
	if (out->n_anomalies < DECODE_MAX_ANOMALIES)
		out->anomaly[out->n_anomalies++] = name;
	else
		out->anomalies_dropped++;
}

bool decode_link_push(struct dstate *st, const char *too_deep)
{
	if (st->link_depth >= DECODE_MAX_LINK_DEPTH) {
		decode_anomaly(st, too_deep);
		return false;
	}
	st->link_depth++;
	return true;
}

void decode_link(struct dstate *st, uint32_t linktype, struct layer l, bool pktap_ok)
{
	switch (linktype) {
	case LINKTYPE_ETHERNET:
		decode_ethernet(st, l);
		break;
	case LINKTYPE_RAW:
	case LINKTYPE_IPV4:
	case LINKTYPE_IPV6:
	case LINKTYPE_RAW_BSD12:
	case LINKTYPE_RAW_BSD14:
		decode_ip(st, l);
		break;
	case LINKTYPE_NULL:
		decode_null(st, l, false);
		break;
	case LINKTYPE_LOOP:
		decode_null(st, l, true);
		break;
	case LINKTYPE_LINUX_SLL:
		decode_sll(st, l);
		break;
	case LINKTYPE_LINUX_SLL2:
		decode_sll2(st, l);
		break;
	case LINKTYPE_PPP:
	case LINKTYPE_PPP_HDLC:
		decode_ppp(st, l);
		break;
	case LINKTYPE_PPP_ETHER:
		decode_pppoe(st, l);
		break;
	case LINKTYPE_C_HDLC:
		decode_chdlc(st, l);
		break;
	case LINKTYPE_PKTAP:
		if (pktap_ok)
			decode_pktap(st, l);
		else
			decode_anomaly(st, "pktap_nested");
		break;
	default:
		/* not a link type we decode: the caller counts these per file */
		break;
	}
}

bool decode_packet(struct decoder *d, uint32_t linktype, const uint8_t *data, uint32_t caplen,
		   uint32_t wirelen, int64_t ts_ns, struct decoded *out)
{
	struct dstate st = { d, out, ts_ns, 0 };
	struct layer l;

	memset(out, 0, sizeof(*out));
	out->payload = cur_empty();
	out->linktype = linktype;
	if (d->retired != NULL || d->n_dgrams != 0)
		frag_tick(d, ts_ns);
	l.c = cur_make(data, caplen);
	l.wire = wirelen > caplen ? wirelen : caplen;
	decode_link(&st, linktype, l, true);
	return out->ip.version != 0;
}
