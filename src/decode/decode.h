/* \summary: link, network and transport decoding of one captured packet */
#ifndef PIDCAP_DECODE_H
#define PIDCAP_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/cur.h"

/*
 * decode_packet() walks a frame from its link layer down to the transport
 * header of the innermost IP packet, through VLAN/QinQ/MPLS/PBB/VN-Tag stacks
 * and tunnels (GRE incl. ERSPAN and PPTP, VXLAN, Teredo, IP-in-IP, 6in4,
 * 4in6, 6in6), and reassembles IP fragments. Every header is read through
 * struct cur; every stack has a fixed depth limit; whatever is malformed or
 * surprising is reported as an anomaly (Zeek weird.log names where Zeek has
 * one) and never stops the run. Checksums are not verified (Zeek -C).
 *
 * Link types: Ethernet 1, raw IP 101/228/229 (and DLT_RAW 12/14), NULL 0,
 * LOOP 108, Linux SLL 113 and SLL2 276, PPP 9/50, PPPoE 51, Cisco HDLC 104,
 * Apple PKTAP 258 (versions 1 and 2, any inner link type but PKTAP).
 */

/*
 * Anomaly names. Zeek's weird.log names: truncated_ethernet_frame,
 * undefined_ether_type, truncated_VLAN_header, truncated_link_header (MPLS,
 * Cisco HDLC, VN-Tag, PBB), truncated_Linux_SLL_header,
 * truncated_Linux_SLL2_header, null_analyzer_failed,
 * truncated_ppp_serial_header, truncated_pppoe_header, truncated_IP,
 * truncated_IP_len, ip_hdr_len_zero, invalid_IP_header_size,
 * internally_truncated_header, IPv4_min_header_size, unknown_ip_version,
 * routing0_hdr, ipv6_no_next, truncated_header, bad_TCP_header_len,
 * corrupt_tcp_options, UDP_datagram_length_mismatch, fragment_overlap,
 * fragment_inconsistency, fragment_size_inconsistency,
 * fragment_protocol_inconsistency, fragment_with_DF,
 * excessively_small_fragment, excessively_large_fragment,
 * incompletely_captured_fragment, truncated_GRE, unknown_gre_version,
 * unknown_gre_flags, gre_routing, egre_protocol_type,
 * non_ip_packet_in_encap, vxlan_empty_packet, truncated_Teredo_authentication,
 * truncated_Teredo_origin_indication, truncated_IPv6_in_Teredo,
 * invalid_inner_IP_version, truncated_inner_IP,
 * inner_IP_payload_length_mismatch, exceeded_tunnel_max_depth.
 * pidcap's own, for limits Zeek does not have: vlan_stack_too_deep,
 * mpls_stack_too_deep, link_stack_too_deep, ipv6_ext_chain_too_long,
 * fragment_table_full, too_many_fragment_holes, fragment_header_too_large,
 * truncated_pktap_header, bad_pktap_header, pktap_nested.
 */
#define DECODE_MAX_ANOMALIES 4     /* per packet; more are counted, not named */
#define DECODE_MAX_LINK_DEPTH 16   /* VLAN + MPLS + PPPoE + PBB + VN-Tag headers per frame */
#define DECODE_MAX_TUNNEL_DEPTH 4  /* nested tunnels per frame */
#define DECODE_MAX_IPV6_EXT 16     /* extension headers per IPv6 packet */

enum decode_tunnel {
	TUNNEL_NONE = 0,
	TUNNEL_IP,         /* IP-in-IP, 6in4, 4in6, 6in6 */
	TUNNEL_GRE,
	TUNNEL_VXLAN,
	TUNNEL_TEREDO,
};

/* Addresses are 16 bytes; IPv4 uses the first 4 (the rest zero). */
struct ip_endpoints {
	uint8_t version;           /* 4 or 6 */
	uint8_t proto;             /* IPPROTO_* of the transport */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;     /* TCP/UDP/SCTP ports; ICMP/ICMPv6: type, code; else 0
				    * (community_id_icmp_ports() maps type/code as Zeek keys them) */
};

#define DECODE_PKTAP_DIR_IN  0x1u   /* Apple's PTH_FLAG_DIR_IN */
#define DECODE_PKTAP_DIR_OUT 0x2u

struct decoded {
	/* ---- link layer */
	uint32_t linktype;
	uint8_t n_vlans;           /* VLAN tags seen in the frame (802.1Q/802.1ad) */
	uint16_t vlan, inner_vlan; /* the first tag's id; the last one's after it (Zeek vlan, inner_vlan) */
	uint8_t n_mpls;
	bool has_l2_addrs;         /* the frame's outermost Ethernet header (SLL: source only, dst zero) */
	uint8_t l2_src[6], l2_dst[6];

	/* ---- innermost IP packet; ip.version == 0 when the frame carries no IP */
	struct ip_endpoints ip;
	uint32_t ip_bytes;         /* innermost IP total length (header + payload), as Zeek counts */
	uint8_t ttl;
	bool fragment;             /* an IP fragment not (yet) reassembled: ip.proto set, no transport fields */
	bool reassembled;          /* this packet was rebuilt from fragments */

	/* ---- transport (valid when ip.version != 0 and !fragment) */
	bool l4_ok;                /* the transport header was complete (always, for protocols
				    * without ports: payload is then the whole IP payload) */
	uint8_t tcp_flags;         /* TH_FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE CWR */
	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_win;
	uint8_t icmp_type, icmp_code;  /* ICMP and ICMPv6 */
	struct cur payload;        /* transport payload as captured (empty when none) */
	uint32_t payload_len;      /* bytes the headers claim (>= cur_left(&payload) when cut by
				    * snaplen); UDP: the UDP length field minus 8, as Zeek counts */

	/* ---- tunnels: the outermost encapsulating IP packet, if any. A tunnel
	 * whose payload holds no IP packet is not entered: the packet is then
	 * the tunnel's own flow (a Teredo bubble stays UDP). */
	enum decode_tunnel tunnel; /* the outermost tunnel's type */
	uint8_t tunnel_depth;      /* tunnels entered */
	struct ip_endpoints outer; /* its IP endpoints; proto and ports of what carried the tunnel
				    * (UDP ports for VXLAN and Teredo, 0 for GRE and IP-in-IP) */

	/* ---- Apple PKTAP header (linktype 258): the process that owned the packet */
	bool has_pktap;
	uint32_t pktap_pid, pktap_epid;
	char pktap_comm[20], pktap_ecomm[20];  /* NUL-terminated, bytes as captured (not sanitized) */
	uint32_t pktap_flags;      /* DECODE_PKTAP_DIR_IN, DECODE_PKTAP_DIR_OUT, ... */

	/* ---- anomalies found in this packet (static strings) */
	uint8_t n_anomalies;
	uint32_t anomalies_dropped;
	const char *anomaly[DECODE_MAX_ANOMALIES];
};

struct decoder;

/*
 * Caps for the fragment reassembly table; a field left 0 takes its default
 * (1024 datagrams, 16 MiB, 30 s as Linux's ipfrag_time). Over a cap, the
 * oldest datagram goes. Overlapping fragments: the first bytes received win
 * (as Zeek and the BSDs), and each overlap is an anomaly (see frag.c).
 */
struct decoder_limits {
	uint32_t max_frag_packets;   /* datagrams being reassembled at once */
	uint32_t max_frag_bytes;     /* bytes buffered over all of them */
	int64_t frag_timeout_ns;     /* a datagram not completed in time is dropped */
};

/* Creates a decoder (owns the fragment table). NULL on out of memory.
 * limits may be NULL for the defaults (see decode.c). */
struct decoder *decoder_new(const struct decoder_limits *limits);
void decoder_free(struct decoder *d);

/*
 * Decodes one frame of the given link type: caplen bytes at data were
 * captured of wirelen on the wire (the pcap "len"; a smaller value counts
 * as caplen). Fills *out (zeroing it first) and answers true when the frame
 * carried IP (out->ip.version != 0), false otherwise (ARP, unknown link
 * types, malformed headers: see out->anomaly). A header length larger than
 * the wire length is malformed (Zeek's truncated_IP_len); one larger than
 * the capture but within the wire length is a snap-length cut, decoded as
 * far as it goes (cur_left(&payload) < payload_len). Pointers and views in
 * *out point into data or into the decoder's reassembly buffers and are valid until
 * the next call. No allocation except for IP fragments.
 */
bool decode_packet(struct decoder *d, uint32_t linktype, const uint8_t *data, uint32_t caplen,
		   uint32_t wirelen, int64_t ts_ns, struct decoded *out);

/* Counters for the run summary: datagrams reassembled, dropped by the
 * timeout, dropped by a cap (count, bytes, holes), and overlapping fragments. */
struct decoder_stats {
	uint64_t frags_reassembled, frags_timed_out, frags_dropped_cap, frags_overlap;
};
void decoder_get_stats(const struct decoder *d, struct decoder_stats *out);

#endif
