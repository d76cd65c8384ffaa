/* pcapio.c - pcap reading and writing through libpcap; link-layer lookup. */
#include "pcapio.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The writer announces the input's snap length so an unchanged capture is
 * written back byte for byte.  A rebuilt frame may exceed it (a message that
 * grew); libpcap and Wireshark read such records up to this limit. */
#define PCAPIO_MAX_SNAPLEN 262144

struct pcapio_reader {
	pcap_t *p;
	int nano;
};

struct pcapio_writer {
	pcap_t *dead;
	pcap_dumper_t *d;
};

/* Ask libpcap for the precision the file has, so timestamps round-trip
 * unchanged: the classic pcap magic 0xa1b23c4d means nanoseconds.  pcapng
 * and anything unreadable read as microseconds. */
static int file_is_nano(const char *path)
{
	uint8_t m[4];
	FILE *f = fopen(path, "rb");
	int nano = 0;

	if (!f)
		return 0;
	if (fread(m, 1, 4, f) == 4)
		nano = (m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0x3c && m[3] == 0x4d) ||
		       (m[3] == 0xa1 && m[2] == 0xb2 && m[1] == 0x3c && m[0] == 0x4d);
	fclose(f);
	return nano;
}

struct pcapio_reader *pcapio_open_read(const char *path, char err[PCAPIO_ERRLEN])
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct pcapio_reader *r = calloc(1, sizeof(*r));
	int nano = file_is_nano(path);

	if (!r) {
		snprintf(err, PCAPIO_ERRLEN, "out of memory");
		return NULL;
	}
	r->p = pcap_open_offline_with_tstamp_precision(
		path, nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (!r->p) {
		snprintf(err, PCAPIO_ERRLEN, "%s", ebuf);
		free(r);
		return NULL;
	}
	r->nano = nano;
	return r;
}

int pcapio_next(struct pcapio_reader *r, struct pcapio_frame *f, char err[PCAPIO_ERRLEN])
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(r->p, &h, &data);

	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		snprintf(err, PCAPIO_ERRLEN, "%s", pcap_geterr(r->p));
		return -1;
	}
	f->ts_sec = h->ts.tv_sec;
	f->ts_frac = (uint32_t)h->ts.tv_usec;
	f->caplen = h->caplen;
	f->wirelen = h->len;
	f->data = data;
	return 1;
}

int pcapio_linktype(const struct pcapio_reader *r)
{
	return pcap_datalink(r->p);
}

int pcapio_nano(const struct pcapio_reader *r)
{
	return r->nano;
}

void pcapio_close_read(struct pcapio_reader *r)
{
	if (!r)
		return;
	pcap_close(r->p);
	free(r);
}

struct pcapio_writer *pcapio_open_write(const char *path, const struct pcapio_reader *like,
					char err[PCAPIO_ERRLEN])
{
	struct pcapio_writer *w = calloc(1, sizeof(*w));
	int prec = like->nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO;
	int snap = pcap_snapshot(like->p);

	if (!w) {
		snprintf(err, PCAPIO_ERRLEN, "out of memory");
		return NULL;
	}
	if (snap <= 0 || snap > PCAPIO_MAX_SNAPLEN)
		snap = PCAPIO_MAX_SNAPLEN;
	w->dead = pcap_open_dead_with_tstamp_precision(pcap_datalink(like->p), snap, prec);
	if (!w->dead) {
		snprintf(err, PCAPIO_ERRLEN, "cannot create a pcap handle");
		goto fail;
	}
	w->d = pcap_dump_open(w->dead, path);
	if (!w->d) {
		snprintf(err, PCAPIO_ERRLEN, "%s", pcap_geterr(w->dead));
		goto fail;
	}
	return w;
fail:
	if (w->dead)
		pcap_close(w->dead);
	free(w);
	return NULL;
}

int pcapio_write(struct pcapio_writer *w, const struct pcapio_frame *f)
{
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)f->ts_sec;
	h.ts.tv_usec = (suseconds_t)f->ts_frac;
	h.caplen = f->caplen;
	h.len = f->wirelen < f->caplen ? f->caplen : f->wirelen;
	pcap_dump((u_char *)w->d, &h, f->data);
	return 0;
}

int pcapio_close_write(struct pcapio_writer *w)
{
	int rc = 0;

	if (!w)
		return 0;
	if (pcap_dump_flush(w->d) != 0)
		rc = -1;
	pcap_dump_close(w->d);
	pcap_close(w->dead);
	free(w);
	return rc;
}

static int family_of_ethertype(unsigned et)
{
	if (et == 0x0800)
		return 4;
	if (et == 0x86dd)
		return 6;
	return 0;
}

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Ethernet II, skipping 802.1Q (0x8100), 802.1ad (0x88a8) and QinQ tags. */
static int l3_ether(const uint8_t *p, size_t caplen, int *family)
{
	size_t off = 12;

	while (off + 2 <= caplen) {
		unsigned et = be16(p + off);

		if (et == 0x8100 || et == 0x88a8 || et == 0x9100) {
			off += 4;
			continue;
		}
		*family = family_of_ethertype(et);
		return *family ? (int)(off + 2) : -1;
	}
	return -1;
}

/* BSD loopback: a 4-byte address family in host (DLT_NULL) or network
 * (DLT_LOOP) order.  AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30. */
static int l3_null(const uint8_t *p, size_t caplen, int *family)
{
	uint32_t af;

	if (caplen < 4)
		return -1;
	af = p[0] ? p[0] : p[3];
	*family = af == 2 ? 4 : (af == 24 || af == 28 || af == 30) ? 6 : 0;
	return *family ? 4 : -1;
}

static int l3_raw(const uint8_t *p, size_t caplen, int *family)
{
	if (caplen < 1)
		return -1;
	*family = p[0] >> 4;
	return (*family == 4 || *family == 6) ? 0 : -1;
}

int pcapio_l3(int linktype, const uint8_t *p, size_t caplen, int *family)
{
	*family = 0;
	switch (linktype) {
	case DLT_EN10MB:
		return l3_ether(p, caplen, family);
	case DLT_LINUX_SLL: /* 16-byte header, protocol in the last 2 bytes */
		if (caplen < 16)
			return -1;
		*family = family_of_ethertype(be16(p + 14));
		return *family ? 16 : -1;
	case DLT_LINUX_SLL2: /* 20-byte header, protocol first */
		if (caplen < 20)
			return -1;
		*family = family_of_ethertype(be16(p));
		return *family ? 20 : -1;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return l3_raw(p, caplen, family);
	case DLT_NULL:
	case DLT_LOOP:
		return l3_null(p, caplen, family);
	default:
		return -1;
	}
}
