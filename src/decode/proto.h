/* \summary: protocol numbers, EtherTypes and header sizes, named once for
 * the decoders and the tests that build frames */
#ifndef PIDCAP_PROTO_H
#define PIDCAP_PROTO_H

/* IANA protocol numbers (https://www.iana.org/assignments/protocol-numbers). */
#define IPPROTO_NUM_HOPOPTS  0
#define IPPROTO_NUM_ICMP     1
#define IPPROTO_NUM_IPIP     4     /* RFC 2003 */
#define IPPROTO_NUM_TCP      6
#define IPPROTO_NUM_UDP      17
#define IPPROTO_NUM_IPV6     41    /* RFC 4213, RFC 2473 */
#define IPPROTO_NUM_ROUTING  43
#define IPPROTO_NUM_FRAGMENT 44
#define IPPROTO_NUM_GRE      47
#define IPPROTO_NUM_ESP      50
#define IPPROTO_NUM_AH       51
#define IPPROTO_NUM_ICMPV6   58
#define IPPROTO_NUM_NONE     59
#define IPPROTO_NUM_DSTOPTS  60
#define IPPROTO_NUM_SCTP     132

/* IEEE 802 EtherTypes (https://standards-oui.ieee.org/ethertype/). */
#define ETHERTYPE_IPV4       0x0800
#define ETHERTYPE_ARP        0x0806
#define ETHERTYPE_VLAN       0x8100   /* IEEE 802.1Q C-tag */
#define ETHERTYPE_QINQ       0x88a8   /* IEEE 802.1ad S-tag */
#define ETHERTYPE_QINQ_OLD1  0x9100   /* pre-standard QinQ */
#define ETHERTYPE_QINQ_OLD2  0x9200
#define ETHERTYPE_IPV6       0x86dd
#define ETHERTYPE_MPLS       0x8847   /* RFC 3032 unicast */
#define ETHERTYPE_MPLS_MC    0x8848   /* RFC 3032 multicast */
#define ETHERTYPE_PPPOE_SESS 0x8864   /* RFC 2516 session stage */
#define ETHERTYPE_TEB        0x6558   /* transparent Ethernet bridging (GRE, SLL) */
#define ETHERTYPE_PBB        0x88e7   /* IEEE 802.1ah I-tag */
#define ETHERTYPE_VNTAG      0x8926   /* Cisco VN-Tag */
#define ETHERTYPE_MIN        1536     /* smaller values are 802.3 lengths (<= 1500) */
#define ETH_8023_MAX_LEN     1500

/* IP versions: the high nibble of the first byte (RFC 791, RFC 8200). */
#define IP_VERSION_4         4
#define IP_VERSION_6         6

/* PPP protocol field values (RFC 1661, RFC 1332 IPCP, RFC 5072 IPV6CP). */
#define PPP_PROTO_IPV4       0x0021
#define PPP_PROTO_IPV6       0x0057

/* Header sizes in bytes. */
#define ETH_ADDR_BYTES       6     /* IEEE 802.3 MAC address */
#define ETH_HDR_BYTES        14    /* IEEE 802.3: dst, src, EtherType */
#define IPV4_MIN_HDR_BYTES   20    /* RFC 791 section 3.1, IHL 5 */
#define IPV4_ADDR_BYTES      4
#define IPV6_HDR_BYTES       40    /* RFC 8200 section 3 */
#define IPV6_ADDR_BYTES      16
#define IPV6_FRAG_HDR_BYTES  8     /* RFC 8200 section 4.5 */
#define UDP_HDR_BYTES        8     /* RFC 768 */
#define TCP_MIN_HDR_BYTES    20    /* RFC 9293 section 3.1, data offset 5 */
#define ICMP_HDR_BYTES       8     /* RFC 792, RFC 4443: type, code, checksum, 4 more */
#define SCTP_HDR_BYTES       12    /* RFC 9260 section 3.1 common header */

/* IPv6 fixed-header field offsets (RFC 8200 section 3). */
#define IPV6_PLEN_OFF        4
#define IPV6_NH_OFF          6
#define IPV6_SRC_OFF         8
#define IPV6_DST_OFF         24

#endif
