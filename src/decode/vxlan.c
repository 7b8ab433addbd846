/* \summary: VXLAN (RFC 7348): Ethernet frames in UDP to port 4789 */
#include "config.h"

#include "decode/decode_int.h"

/* RFC 7348 section 5: flags (I = 0x08), reserved, VNI (24 bits), reserved. */
#define VXLAN_PORT        4789
#define VXLAN_HDR_BYTES   8
#define VXLAN_FLAG_I      0x08

bool decode_vxlan(struct dstate *st, uint16_t sport, uint16_t dport, struct layer l)
{
	uint8_t flags;

	(void)sport;
	/* both ends send to the well-known port (RFC 7348 section 5) */
	if (dport != VXLAN_PORT || !cur_peek_u8(&l.c, 0, &flags) || !(flags & VXLAN_FLAG_I) ||
	    !layer_skip(&l, VXLAN_HDR_BYTES))
		return false;
	if (l.wire == 0) {
		decode_anomaly(st, "vxlan_empty_packet");
		return true;
	}
	decode_tunnel(st, TUNNEL_VXLAN, INNER_ETHERNET, 0, l);
	return true;
}
