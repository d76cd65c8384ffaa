/*
 * error.h - the wire library's error codes.
 *
 * Library functions return an int: >= 0 is success (a count or a length),
 * < 0 is one of these codes.  sip_strerror() gives a short human reason,
 * stable enough for logs and `sipalg lint` output.
 */
#ifndef SIPALG_SIP_ERROR_H
#define SIPALG_SIP_ERROR_H

enum sip_err {
	SIP_OK = 0,
	SIP_ENEEDMORE = -1,     /* incomplete: feed more bytes (TCP) */
	SIP_ETOOBIG = -2,       /* over SIP_MAX_MSG_SIZE */
	SIP_ETOOMANYHDRS = -3,  /* over SIP_MAX_HEADERS */
	SIP_ELINETOOLONG = -4,  /* over SIP_MAX_LINE */
	SIP_ESTARTLINE = -5,    /* malformed request or status line */
	SIP_EVERSION = -6,      /* SIP-Version is not SIP/2.0 */
	SIP_EHEADER = -7,       /* malformed header line (name, colon) */
	SIP_ECLEN = -8,         /* bad, conflicting or overlarge Content-Length */
	SIP_EBODY = -9,         /* body shorter than Content-Length */
	SIP_EURI = -10,         /* malformed URI */
	SIP_EVIA = -11,         /* malformed Via */
	SIP_EADDR = -12,        /* malformed name-addr / addr-spec */
	SIP_ECSEQ = -13,        /* malformed CSeq or method mismatch */
	SIP_EQUOTE = -14,       /* unterminated quoted string */
	SIP_EMISSING = -15,     /* a mandatory header is missing */
	SIP_EMULTI = -16,       /* several values in a single-value header */
	SIP_ESDP = -17,         /* malformed SDP */
	SIP_ESTATUS = -18,      /* status code out of range */
	SIP_ENOSPACE = -19,     /* caller's array or output buffer is full */
	SIP_EEDIT = -20,        /* edit overlaps another or lies out of range */
	SIP_EVALUE = -21,       /* malformed header value (numbers, tokens) */
	SIP_EMULTIPART = -22,   /* malformed multipart body */
	SIP_ECHAR = -23,        /* forbidden octet (NUL, bare CR) */
	SIP_ETOOMANYVIAS = -24, /* over SIP_MAX_VIAS Via values */
	SIP_ETOOMANYPARTS = -25,/* multipart body over SIP_MAX_PARTS parts */
	SIP_ERR_MIN = SIP_ETOOMANYPARTS, /* the lowest code, for range checks */
};

const char *sip_strerror(int err);

#endif
