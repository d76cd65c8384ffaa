/*
 * pcapio.h - read and write classic pcap captures (libpcap), and find the IP
 * header behind the link layer.
 *
 * A reader hands out one frame at a time; the frame's bytes belong to
 * libpcap and stay valid only until the next pcapio_next() call.  A writer
 * copies what it is given.  Timestamps are kept in the input's precision
 * (micro- or nanoseconds) so a rewritten capture keeps them exactly.
 *
 * Link layers understood by pcapio_l3(): Ethernet (with 802.1Q/802.1ad
 * tags), Linux cooked capture v1 and v2, raw IP (DLT_RAW, DLT_IPV4,
 * DLT_IPV6), BSD loopback (DLT_NULL, DLT_LOOP).
 *
 * Returns: pcapio_next() 1 for a frame, 0 at the end, -1 on a read error
 * (text in the reader's err).  Openers return NULL with err filled.
 */
#ifndef SIPALG_CLI_PCAPIO_H
#define SIPALG_CLI_PCAPIO_H

#include <stddef.h>
#include <stdint.h>

#define PCAPIO_ERRLEN 256

struct pcapio_frame {
	int64_t ts_sec;
	uint32_t ts_frac;     /* micro- or nanoseconds, see pcapio_nano() */
	uint32_t caplen;      /* bytes present in data */
	uint32_t wirelen;     /* bytes the frame had on the wire */
	const uint8_t *data;
};

struct pcapio_reader;
struct pcapio_writer;

struct pcapio_reader *pcapio_open_read(const char *path, char err[PCAPIO_ERRLEN]);
int pcapio_next(struct pcapio_reader *r, struct pcapio_frame *f, char err[PCAPIO_ERRLEN]);
int pcapio_linktype(const struct pcapio_reader *r);
int pcapio_nano(const struct pcapio_reader *r);
void pcapio_close_read(struct pcapio_reader *r);

/* The writer takes the link type and timestamp precision of a reader. */
struct pcapio_writer *pcapio_open_write(const char *path, const struct pcapio_reader *like,
					char err[PCAPIO_ERRLEN]);
/* Returns 0, or -1 if the file could not be written. */
int pcapio_write(struct pcapio_writer *w, const struct pcapio_frame *f);
int pcapio_close_write(struct pcapio_writer *w);

/* Where the IP header starts in a frame of this link type.  Returns the
 * offset (>= 0) with *family 4 or 6, or -1 if the frame carries no IP
 * (ARP, other ethertypes) or is too short for its link header. */
int pcapio_l3(int linktype, const uint8_t *p, size_t caplen, int *family);

#endif
