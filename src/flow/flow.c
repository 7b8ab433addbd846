/* \summary: flow defaults, Zeek's conn_state and history letters, its port and ICMP tables */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "flow/flow_int.h"
#include "util/units.h"

/* Zeek init-bare.zeek defaults. */
#define FLOW_DEFAULT_MAX_FLOWS 1000000u
#define ZEEK_TCP_INACTIVITY_NS (300 * NS_PER_SEC)
#define ZEEK_UDP_INACTIVITY_NS (60 * NS_PER_SEC)
#define ZEEK_ICMP_INACTIVITY_NS (60 * NS_PER_SEC)
#define ZEEK_OTHER_INACTIVITY_NS (60 * NS_PER_SEC)
#define ZEEK_TCP_ATTEMPT_DELAY_NS (5 * NS_PER_SEC)
#define ZEEK_TCP_CLOSE_DELAY_NS (5 * NS_PER_SEC)
#define ZEEK_DNS_SESSION_TIMEOUT_NS (10 * NS_PER_SEC)

/* ScaledHistoryEntry() steps by powers of ten; 10^9 is the last in 32 bits. */
#define HIST_SCALE_BASE 10u
#define HIST_SCALE_MAX_EXP 9

void flow_config_default(struct flow_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_flows = FLOW_DEFAULT_MAX_FLOWS;
	cfg->tcp_inactivity_ns = ZEEK_TCP_INACTIVITY_NS;
	cfg->udp_inactivity_ns = ZEEK_UDP_INACTIVITY_NS;
	cfg->icmp_inactivity_ns = ZEEK_ICMP_INACTIVITY_NS;
	cfg->other_inactivity_ns = ZEEK_OTHER_INACTIVITY_NS;
	cfg->tcp_attempt_ns = ZEEK_TCP_ATTEMPT_DELAY_NS;
	cfg->tcp_close_ns = ZEEK_TCP_CLOSE_DELAY_NS;
	cfg->dns_session_ns = ZEEK_DNS_SESSION_TIMEOUT_NS;
}

const char *flow_proto_name(uint8_t ip_proto)
{
	switch (ip_proto) {
	case FLOW_PROTO_TCP:
		return "tcp";
	case FLOW_PROTO_UDP:
		return "udp";
	case FLOW_PROTO_ICMP:
	case FLOW_PROTO_ICMPV6:
		return "icmp";
	case FLOW_PROTO_SCTP:
		return "sctp";
	default:
		return "unknown_transport";
	}
}

int64_t flow_duration_ns(const struct flow_record *r)
{
	return ns_sub_sat(r->last_ts_ns, r->first_ts_ns);
}

void flow_record_fill(const struct flow *f, enum flow_end_reason why,
		      struct community_id_hasher *cid, struct flow_record *r)
{
	r->id = f->id;
	r->key = f->key;
	r->first_ts_ns = f->first_ts_ns;
	r->last_ts_ns = f->last_ts_ns;
	r->orig = f->orig.count;
	r->resp = f->resp.count;
	/* the flow's history is always NUL-terminated (flow_hist_add) */
	memcpy(r->history, f->history, f->history_len + 1u);
	r->conn_state = flow_conn_state(f);
	r->flipped = f->flipped;
	r->first = f->first;
	community_id_v1_with(cid, &f->key, 0, r->community_id);
	r->why = why;
	r->attrib = f->attrib;
}

/* ---- history */

void flow_hist_add(struct flow *f, char code)
{
	if (f->history_len + 1 >= FLOW_HISTORY_BYTES)
		return;
	f->history[f->history_len++] = code;
	f->history[f->history_len] = '\0';
}

bool flow_hist_check(struct flow *f, uint32_t mask, char code)
{
	if (f->hist_seen & mask)
		return true;
	f->hist_seen |= mask;
	flow_hist_add(f, code);
	return false;
}

bool flow_hist_scaled(struct flow *f, char code, uint32_t *cnt, uint8_t *exp)
{
	uint32_t threshold = 1;

	for (uint8_t i = 0; i < *exp; i++)
		threshold *= HIST_SCALE_BASE;
	if (++*cnt != threshold)
		return false;
	flow_hist_add(f, code);
	/* Past the last power of ten Zeek restarts the count. */
	if (*exp < HIST_SCALE_MAX_EXP)
		(*exp)++;
	else
		*cnt = 0;
	return true;
}

void flow_flip(struct flow *f)
{
	struct flow_dir d = f->orig;
	uint8_t a[sizeof(f->key.src)];
	uint16_t p = f->key.sport;

	f->orig = f->resp;
	f->resp = d;
	memcpy(a, f->key.src, sizeof(a));
	memcpy(f->key.src, f->key.dst, sizeof(a));
	memcpy(f->key.dst, a, sizeof(a));
	f->key.sport = f->key.dport;
	f->key.dport = p;
	f->flipped = true;
	flow_hist_add(f, '^');
}

/* ---- conn_state (scripts/base/protocols/conn/main.zeek, conn_state()) */

/* Zeek's /\^?S[^HAFGIQ]*R.*\/: the originator's SYN, then its RST. */
static bool history_syn_then_rst(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return false;
	for (; *h; h++) {
		if (*h == 'R')
			return true;
		if (strchr("HAFGIQ", *h))
			return false;
	}
	return false;
}

static bool tcp_inactive(uint8_t st)
{
	return st == FLOW_TCP_INACTIVE || st == FLOW_TCP_PARTIAL;
}

static const char *tcp_conn_state_reset(const struct flow *f, uint8_t os, uint8_t rs)
{
	if (rs == FLOW_TCP_RESET) {
		if (os == FLOW_TCP_SYN_SENT || os == FLOW_TCP_SYN_ACK_SENT ||
		    (os == FLOW_TCP_RESET && f->orig.count.payload_bytes == 0 && f->resp.count.payload_bytes == 0))
			return "REJ";
		return tcp_inactive(os) ? "RSTRH" : "RSTR";
	}
	if (tcp_inactive(rs))
		return history_syn_then_rst(f->history) ? "RSTOS0" : "OTH";
	return "RSTO";
}

static const char *tcp_conn_state(const struct flow *f)
{
	uint8_t os = f->orig.tcp.state, rs = f->resp.tcp.state;

	if (rs == FLOW_TCP_RESET || os == FLOW_TCP_RESET)
		return tcp_conn_state_reset(f, os, rs);
	if (rs == FLOW_TCP_CLOSED && os == FLOW_TCP_CLOSED)
		return "SF";
	if (os == FLOW_TCP_CLOSED)
		return tcp_inactive(rs) ? "SH" : "S2";
	if (rs == FLOW_TCP_CLOSED)
		return tcp_inactive(os) ? "SHR" : "S3";
	if (os == FLOW_TCP_SYN_SENT && rs == FLOW_TCP_INACTIVE)
		return "S0";
	if (os == FLOW_TCP_ESTABLISHED && rs == FLOW_TCP_ESTABLISHED)
		return "S1";
	return "OTH";
}

const char *flow_conn_state(const struct flow *f)
{
	bool o, r;

	switch (f->key.proto) {
	case FLOW_PROTO_TCP:
		return tcp_conn_state(f);
	case FLOW_PROTO_UDP:
		/* UDP_ACTIVE: the side sent a (valid) datagram. */
		o = f->orig.count.pkts > 0;
		r = f->resp.count.pkts > 0;
		if (o)
			return r ? "SF" : "S0";
		return r ? "SHR" : "OTH";
	default:
		return "OTH";
	}
}

/* ---- likely_server_ports */

/*
 * Zeek flips a partial flow when its source port is a likely server port
 * and its destination is not. Zeek's table is every port its loaded
 * analyzers register as server ports (base/frameworks/analyzer
 * register_for_ports(), plus explicit "redef likely_server_ports"). These
 * are the ports of `zeek` run without -b, i.e. all of scripts/base: DNS,
 * DHCP, HTTP, SSL/DTLS, QUIC, SSH, FTP, SMTP, POP3, IMAP, IRC, XMPP, SMB,
 * DCE-RPC, Kerberos, LDAP, NTP, SNMP, SIP, RADIUS, Syslog, RDP, MySQL,
 * PostgreSQL, Redis, MQTT, Modbus, DNP3, SOCKS, Finger, and the tunnels
 * (Teredo, AYIYA, GTPv1, VXLAN, Geneve). `zeek -b` loads only the scripts a
 * test names, so bare-mode baselines can differ on ports outside them.
 * Sorted for bsearch().
 */
static const uint16_t likely_tcp_ports[] = {
	21, 22, 25, 53, 79, 80, 81, 88, 110, 135, 139, 143, 389, 443, 445, 502, 563, 585, 587,
	614, 631, 636, 750, 989, 990, 992, 993, 995, 1080, 1434, 1883, 2811, 3128, 3268, 3306,
	3389, 5222, 5223, 5269, 5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
};

static const uint16_t likely_udp_ports[] = {
	53, 67, 88, 123, 137, 161, 162, 389, 443, 514, 750, 784, 853, 1812, 2123, 2152, 3544,
	4789, 5060, 5072, 5353, 5355, 6081, 20000,
};

static int cmp_port(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

bool flow_likely_server_port(uint8_t ip_proto, uint16_t port)
{
	const uint16_t *tab;
	size_t n;

	if (ip_proto == FLOW_PROTO_TCP) {
		tab = likely_tcp_ports;
		n = sizeof(likely_tcp_ports) / sizeof(likely_tcp_ports[0]);
	} else if (ip_proto == FLOW_PROTO_UDP) {
		tab = likely_udp_ports;
		n = sizeof(likely_udp_ports) / sizeof(likely_udp_ports[0]);
	} else {
		return false;
	}
	return bsearch(&port, tab, n, sizeof(*tab), cmp_port) != NULL;
}

