/* error.c - reasons for enum sip_err (error.h). */
#include "error.h"

static const char *const reasons[] = {
	[-SIP_OK] = "ok",
	[-SIP_ENEEDMORE] = "incomplete message",
	[-SIP_ETOOBIG] = "message larger than the limit",
	[-SIP_ETOOMANYHDRS] = "too many header fields",
	[-SIP_ELINETOOLONG] = "header line longer than the limit",
	[-SIP_ESTARTLINE] = "malformed start line",
	[-SIP_EVERSION] = "unsupported SIP version",
	[-SIP_EHEADER] = "malformed header line",
	[-SIP_ECLEN] = "bad or conflicting Content-Length",
	[-SIP_EBODY] = "body shorter than Content-Length",
	[-SIP_EURI] = "malformed URI",
	[-SIP_EVIA] = "malformed Via",
	[-SIP_EADDR] = "malformed name-addr or addr-spec",
	[-SIP_ECSEQ] = "malformed CSeq or CSeq method mismatch",
	[-SIP_EQUOTE] = "unterminated quoted string",
	[-SIP_EMISSING] = "mandatory header missing",
	[-SIP_EMULTI] = "several values in a single-value header",
	[-SIP_ESDP] = "malformed SDP",
	[-SIP_ESTATUS] = "status code out of range",
	[-SIP_ENOSPACE] = "out of space",
	[-SIP_EEDIT] = "edit overlaps another or is out of range",
	[-SIP_EVALUE] = "malformed header value",
	[-SIP_EMULTIPART] = "malformed multipart body",
	[-SIP_ECHAR] = "forbidden character",
	[-SIP_ETOOMANYVIAS] = "too many Via values",
	[-SIP_ETOOMANYPARTS] = "too many multipart body parts",
};

const char *sip_strerror(int err)
{
	if (err > 0 || -err >= (int)(sizeof(reasons) / sizeof(reasons[0])) || !reasons[-err])
		return "unknown error";
	return reasons[-err];
}
