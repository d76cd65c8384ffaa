/* peer_osip.c - libosip2 doing what a libosip2-based ALG must (peer_osip.h). */
#include "peer_osip.h"

#include <osipparser2/osip_parser.h>
#include <stdlib.h> /* free(), which osip_free() expands to */

void peer_osip_init(void)
{
	parser_init();
}

int peer_osip_once(const char *buf, size_t len)
{
	osip_message_t *sip;
	char *dest = NULL;
	size_t dlen = 0;
	int r;

	if (osip_message_init(&sip) != 0)
		return -1;
	r = osip_message_parse(sip, buf, len);
	if (r == 0)
		r = osip_message_to_str(sip, &dest, &dlen);
	if (dest)
		osip_free(dest);
	osip_message_free(sip);
	return r == 0 ? (int)dlen : -1;
}
