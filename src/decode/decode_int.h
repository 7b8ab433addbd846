/* \summary: private interface between the protocol decoders of src/decode/ */
#ifndef PIDCAP_DECODE_INT_H
#define PIDCAP_DECODE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "decode/proto.h"
#include "util/cur.h"

/*
 * Each protocol file decodes one header and hands what follows to the next
 * decoder. What a decoder finds goes into the struct decoded of the packet;
 * nothing is returned: "did we find IP" is out->ip.version != 0.
 */

/* The bytes of one layer: what was captured, and how many the wire carried. */
struct layer {
	struct cur c;     /* captured bytes from the start of this layer */
	uint32_t wire;    /* bytes on the wire from the same start; >= cur_left(&c) */
};

/* The state of decoding one packet. */
struct dstate {
	struct decoder *d;
	struct decoded *out;
	int64_t ts_ns;
	uint8_t link_depth;      /* VLAN, MPLS, PPPoE, PBB ... headers so far */
};

/* Consumes n bytes from both the capture and the wire count. */
static inline bool layer_skip(struct layer *l, size_t n)
{
	if (!cur_skip(&l->c, n))
		return false;
	l->wire -= (uint32_t)n;
	return true;
}

/* Keeps the first n bytes: a length field said where the layer ends. */
static inline void layer_trim(struct layer *l, uint32_t n)
{
	struct cur head;

	if (cur_sub(&l->c, n, &head))
		l->c = head;
	if (l->wire > n)
		l->wire = n;
}

/* decode.c: records an anomaly (a static string) once per packet. */
void decode_anomaly(struct dstate *st, const char *name);

/* decode.c: the link layer of a frame, by LINKTYPE_* value. PKTAP may not
 * nest (pktap_ok false inside a PKTAP frame). */
void decode_link(struct dstate *st, uint32_t linktype, struct layer l, bool pktap_ok);

/* Counts one more link-layer header; false (anomaly too_deep) past the limit. */
bool decode_link_push(struct dstate *st, const char *too_deep);

/* ethernet.c */
void decode_ethernet(struct dstate *st, struct layer l);
void decode_ethertype(struct dstate *st, uint16_t type, struct layer l);
void decode_llc(struct dstate *st, struct layer l);

/* mpls.c */
void decode_mpls(struct dstate *st, struct layer l);

/* sll.c */
void decode_sll(struct dstate *st, struct layer l);
void decode_sll2(struct dstate *st, struct layer l);

/* null.c: BSD loopback; network_order for LINKTYPE_LOOP. */
void decode_null(struct dstate *st, struct layer l, bool network_order);

/* ppp.c: PPP (RFC 1661/1662), Cisco HDLC, PPPoE session (RFC 2516). */
void decode_ppp(struct dstate *st, struct layer l);
void decode_chdlc(struct dstate *st, struct layer l);
void decode_pppoe(struct dstate *st, struct layer l);

/* pktap.c */
void decode_pktap(struct dstate *st, struct layer l);

/* ip.c: the transport payload is the rest of l. */
void decode_payload(struct decoded *out, struct layer l);
/* ip.c: an IP packet of either version (the version nibble decides). */
void decode_ip(struct dstate *st, struct layer l);
/* ip.c: the payload of an IP packet whose header named proto. */
void decode_transport(struct dstate *st, uint8_t proto, struct layer l);
/* ip.c: the inner IP packet of IP-in-IP, GRE or Teredo, checked against
 * the room the tunnel gives it; version 0 accepts either. */
void decode_inner_ip(struct dstate *st, uint8_t version, struct layer l);
/* What a tunnel carries. */
enum tunnel_inner {
	INNER_ETHERNET,       /* a whole frame (VXLAN, GRE bridging, ERSPAN) */
	INNER_IP,             /* an IP packet of version arg (0: either), checked */
	INNER_ETHERTYPE,      /* whatever EtherType arg names (GRE) */
};

/* ip.c: decodes l as the payload of a tunnel of the given type; when l
 * holds no IP packet the packet stays the tunnel's own flow. */
void decode_tunnel(struct dstate *st, enum decode_tunnel type, enum tunnel_inner inner,
		   uint16_t arg, struct layer l);

/* ipv4.c, ipv6.c: the version nibble was checked by decode_ip(). */
void decode_ipv4(struct dstate *st, struct layer l);
void decode_ipv6(struct dstate *st, struct layer l);

/* tcp.c, udp.c, icmp.c, sctp.c, gre.c */
void decode_tcp(struct dstate *st, struct layer l);
void decode_udp(struct dstate *st, struct layer l);
void decode_icmp(struct dstate *st, struct layer l);
void decode_sctp(struct dstate *st, struct layer l);
void decode_gre(struct dstate *st, struct layer l);

/* vxlan.c, teredo.c: answer true when they took the UDP payload as a tunnel. */
bool decode_vxlan(struct dstate *st, uint16_t sport, uint16_t dport, struct layer l);
bool decode_teredo(struct dstate *st, uint16_t sport, uint16_t dport, struct layer l);

/* frag.c: one IP fragment, as the IP decoders saw it. */
struct frag_in {
	uint8_t version;
	uint8_t proto;           /* v4: protocol; v6: next header of the fragment header */
	const uint8_t *src, *dst;  /* 16 bytes each (IPv4 zero-padded) */
	uint32_t id;
	uint32_t offset;         /* bytes into the datagram's payload */
	bool more;               /* MF: not the last fragment */
	bool df;                 /* IPv4 DF (a fragment with DF is weird) */
	uint32_t total_len;      /* this fragment's IP length, header included */
	struct cur unfrag;       /* v4: the header; v6: header + extension headers before the fragment header */
	uint16_t nh_off;         /* v6: offset in unfrag of the next-header byte that named the fragment header */
	struct cur data;         /* the fragment's payload, completely captured */
};

/* Adds a fragment; answers true with *whole = the reassembled datagram
 * (IP header first, fragment fields cleared) when it completed one. */
bool frag_add(struct dstate *st, const struct frag_in *f, struct cur *whole);
/* Drops datagrams older than the timeout; frees those completed before. */
void frag_tick(struct decoder *d, int64_t ts_ns);
void frag_free_all(struct decoder *d);

/* The decoder: limits, counters and the fragment table (frag.c). */
struct frag_dgram;
struct decoder {
	struct decoder_limits lim;
	struct decoder_stats stats;
	struct frag_dgram **buckets;
	uint32_t n_buckets;              /* a power of two */
	struct frag_dgram *oldest, *newest;  /* creation order */
	uint32_t n_dgrams;
	uint64_t frag_bytes;             /* buffered, all datagrams */
	struct frag_dgram *retired;      /* completed: freed on the next packet */
};

#endif
