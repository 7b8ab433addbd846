/* \summary: IP version dispatch, transport dispatch by protocol number, and
 * tunnels: IP-in-IP (RFC 2003), 6in4/6in6/4in6 (RFC 4213, RFC 2473) */
#include "config.h"

#include <string.h>

#include "decode/decode_int.h"


void decode_payload(struct decoded *out, struct layer l)
{
	out->payload = l.c;
	out->payload_len = l.wire;
}

void decode_ip(struct dstate *st, struct layer l)
{
	uint8_t first;

	if (!cur_peek_u8(&l.c, 0, &first)) {
		decode_anomaly(st, "truncated_IP");
		return;
	}
	switch (first >> 4) {
	case IP_VERSION_4:
		decode_ipv4(st, l);
		break;
	case IP_VERSION_6:
		decode_ipv6(st, l);
		break;
	default:
		decode_anomaly(st, "unknown_ip_version");
		break;
	}
}

/* The inner packet's claimed length must be what the tunnel carried. */
void decode_inner_ip(struct dstate *st, uint8_t version, struct layer l)
{
	uint8_t first, v;
	uint16_t len16;
	uint32_t total;

	if (!cur_peek_u8(&l.c, 0, &first)) {
		decode_anomaly(st, "truncated_inner_IP");
		return;
	}
	v = first >> 4;
	if ((v != IP_VERSION_4 && v != IP_VERSION_6) || (version != 0 && v != version)) {
		decode_anomaly(st, "invalid_inner_IP_version");
		return;
	}
	if (v == IP_VERSION_4) {
		if (cur_left(&l.c) < IPV4_MIN_HDR_BYTES || !cur_peek_be16(&l.c, 2, &len16)) {
			decode_anomaly(st, "truncated_inner_IP");
			return;
		}
		total = len16;
	} else {
		if (cur_left(&l.c) < IPV6_HDR_BYTES || !cur_peek_be16(&l.c, 4, &len16)) {
			decode_anomaly(st, "truncated_inner_IP");
			return;
		}
		total = IPV6_HDR_BYTES + (uint32_t)len16;
	}
	if (total > l.wire) {
		decode_anomaly(st, "truncated_inner_IP");
		return;
	}
	if (total < l.wire) {
		decode_anomaly(st, "inner_IP_payload_length_mismatch");
		return;
	}
	decode_ip(st, l);
}

/* Forgets the outer packet's network and transport fields. */
static void clear_inner(struct decoded *out)
{
	memset(&out->ip, 0, sizeof(out->ip));
	out->ip_bytes = 0;
	out->ttl = 0;
	out->fragment = false;
	out->l4_ok = false;
	out->tcp_flags = 0;
	out->tcp_seq = out->tcp_ack = 0;
	out->tcp_win = 0;
	out->icmp_type = out->icmp_code = 0;
	out->payload = cur_empty();
	out->payload_len = 0;
}

static void tunnel_inner(struct dstate *st, enum tunnel_inner inner, uint16_t arg, struct layer l)
{
	switch (inner) {
	case INNER_ETHERNET:
		decode_ethernet(st, l);
		break;
	case INNER_IP:
		decode_inner_ip(st, (uint8_t)arg, l);
		break;
	case INNER_ETHERTYPE:
		decode_ethertype(st, arg, l);
		break;
	}
}

void decode_tunnel(struct dstate *st, enum decode_tunnel type, enum tunnel_inner inner,
		   uint16_t arg, struct layer l)
{
	struct decoded *out = st->out;
	struct decoded saved, found;

	if (out->tunnel_depth >= DECODE_MAX_TUNNEL_DEPTH) {
		decode_anomaly(st, "exceeded_tunnel_max_depth");
		return;
	}
	saved = *out;
	if (out->tunnel == TUNNEL_NONE) {
		out->tunnel = type;
		out->outer = out->ip;
	}
	out->tunnel_depth++;
	clear_inner(out);
	tunnel_inner(st, inner, arg, l);
	if (out->ip.version != 0)
		return;
	/* nothing usable inside: the packet stays the tunnel's own flow,
	 * with the anomalies found inside */
	found = *out;
	*out = saved;
	memcpy(out->anomaly, found.anomaly, sizeof(out->anomaly));
	out->n_anomalies = found.n_anomalies;
	out->anomalies_dropped = found.anomalies_dropped;
}

void decode_transport(struct dstate *st, uint8_t proto, struct layer l)
{
	struct decoded *out = st->out;

	out->ip.proto = proto;
	switch (proto) {
	case IPPROTO_NUM_TCP:
		decode_tcp(st, l);
		break;
	case IPPROTO_NUM_UDP:
		decode_udp(st, l);
		break;
	case IPPROTO_NUM_ICMP:
	case IPPROTO_NUM_ICMPV6:
		decode_icmp(st, l);
		break;
	case IPPROTO_NUM_SCTP:
		decode_sctp(st, l);
		break;
	case IPPROTO_NUM_GRE:
		decode_gre(st, l);
		break;
	case IPPROTO_NUM_IPIP:
		out->l4_ok = true;
		decode_payload(out, l);
		decode_tunnel(st, TUNNEL_IP, INNER_IP, IP_VERSION_4, l);
		break;
	case IPPROTO_NUM_IPV6:
		out->l4_ok = true;
		decode_payload(out, l);
		decode_tunnel(st, TUNNEL_IP, INNER_IP, IP_VERSION_6, l);
		break;
	case IPPROTO_NUM_NONE:
		decode_anomaly(st, "ipv6_no_next");
		out->l4_ok = true;
		decode_payload(out, l);
		break;
	default:
		/* ESP, OSPF, VRRP, ...: a flow without ports, payload as is */
		out->l4_ok = true;
		decode_payload(out, l);
		break;
	}
}
