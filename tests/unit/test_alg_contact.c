/*
 * test_alg_contact.c - which Contact is the inside endpoint (R1) and how it
 * comes back (R3), when the UA's listen port is not its source port: a TCP
 * phone connecting from an ephemeral port (baresip: connects from 49152,
 * Via and Contact say 5062;rport, RFC 3261 §18.1.1, RFC 5626 §4.2), and a
 * UDP rport UA whose Via port differs from its source port (B18).
 * Each case names the rule it defends.
 */
#include "check.h"
#include "alg_harness.h"

#define TPHONE "192.168.1.10:49152" /* ephemeral TCP source */
#define TBIND  "203.0.113.1:49152"  /* its binding (h_run_tr: public IP, same port) */

/* One message over `tr`, now; the binding keeps the source port. */
static const struct alg_result *h_run_tr(struct alg_engine *e, enum alg_dir dir,
					 enum alg_transport tr, const char *src, const char *dst,
					 const char *tpl)
{
	return h_run_tr_at(e, dir, tr, src, dst, tpl, H_now, hp(src).port);
}

static const char tcp_register[] =
    "REGISTER sip:example.com;transport=tcp SIP/2.0\n"
    "Via: SIP/2.0/TCP 192.168.1.10:5062;rport;branch=z9hG4bKtcp1\n"
    "Max-Forwards: 70\n"
    "From: <sip:phonet@example.com>;tag=t1\n"
    "To: <sip:phonet@example.com>\n"
    "Call-ID: tcpreg@192.168.1.10\n"
    "CSeq: 1 REGISTER\n"
    "Contact: <sip:phonet@192.168.1.10:5062;transport=tcp>;expires=600, "
    "<sip:other@192.168.1.10:5070;transport=tcp>\n"
    "Content-Length: 0\n\n";

static const char tcp_register_200[] =
    "SIP/2.0 200 OK\n"
    "Via: SIP/2.0/TCP 192.168.1.10:5062;rport=49152;received=203.0.113.1;branch=z9hG4bKtcp1\n"
    "From: <sip:phonet@example.com>;tag=t1\n"
    "To: <sip:phonet@example.com>;tag=r1\n"
    "Call-ID: tcpreg@192.168.1.10\n"
    "CSeq: 1 REGISTER\n"
    "Contact: <sip:phonet@203.0.113.1:49152;transport=tcp>;expires=600\n"
    "Content-Length: 0\n\n";

static const char tcp_invite_in[] = "INVITE sip:phonet@203.0.113.1:49152;transport=tcp SIP/2.0\n"
				    "Via: SIP/2.0/TCP 203.0.113.20:5060;branch=z9hG4bKin1\n"
				    "From: <sip:c@example.com>;tag=c\n"
				    "To: <sip:phonet@example.com>\n"
				    "Call-ID: tcpin@203.0.113.20\n"
				    "CSeq: 1 INVITE\n"
				    "Contact: <sip:c@203.0.113.20:5060;transport=tcp>\n"
				    "Content-Length: 0\n\n";

/* R1: a TCP REGISTER from an ephemeral port whose Contact names the listen
 * port of the top Via (5062;rport) is the inside endpoint: Contact gets the
 * binding; a Contact on another port of the same host is not ours; the
 * rport Via stays (R4). */
static void t_tcp_register_out(void)
{
	struct alg_engine *e = h_engine();
	h_run_tr(e, ALG_OUT, ALG_TCP, TPHONE, REGISTRAR, tcp_register);
	CHECK(H_res.changed);
	CHECK(h_line("Contact: <sip:phonet@203.0.113.1:49152;transport=tcp>;expires=600, "
		     "<sip:other@192.168.1.10:5070;transport=tcp>"));
	CHECK(h_line("Via: SIP/2.0/TCP 192.168.1.10:5062;rport;branch=z9hG4bKtcp1"));
	CHECK_EQ_INT(h_diff_lines(), 1);
	CHECK(h_clen_ok());
	CHECK_EQ_INT(H_res.nnotes, 1);
	CHECK(!strcmp(H_res.notes[0].before, "192.168.1.10:5062"));
	CHECK(!strcmp(H_res.notes[0].after, TBIND));
	CHECK(!strcmp(H_res.notes[0].rule, "R1 Contact = inside endpoint"));
	alg_free(e);
}

/* R3: the REGISTER 200's Contact carrying the binding gets back exactly
 * what the UA wrote (5062, not the ephemeral source port), the registration
 * is kept for the granted expiry (R9), received=/rport= untouched (R4). */
static void t_tcp_register_200_restored(void)
{
	struct alg_engine *e = h_engine();
	h_run_tr(e, ALG_OUT, ALG_TCP, TPHONE, REGISTRAR, tcp_register);
	h_run_tr(e, ALG_IN, ALG_TCP, REGISTRAR, TBIND, tcp_register_200);
	CHECK(h_line("Contact: <sip:phonet@192.168.1.10:5062;transport=tcp>;expires=600"));
	CHECK(h_line("Via: SIP/2.0/TCP "
		     "192.168.1.10:5062;rport=49152;received=203.0.113.1;branch=z9hG4bKtcp1"));
	CHECK_EQ_INT(h_diff_lines(), 1);
	const struct alg_action *k = h_action(ALG_ACT_BINDING_KEEP, 0);
	CHECK(k != NULL);
	if (k) {
		CHECK_EQ_INT(k->u.binding.transport, ALG_TCP);
		CHECK_EQ_INT(k->u.binding.expires_ms, H_now + 600000 + 32000);
	}
	struct alg_counters n;
	alg_get_counters(e, &n);
	CHECK_EQ_INT(n.registrations, 1);
	alg_free(e);
}

/* R3: an INVITE to the registered TCP binding gets the listen port the
 * phone wrote (5062) back in its Request-URI; To untouched. */
static void t_tcp_invite_in_restored(void)
{
	struct alg_engine *e = h_engine();
	h_run_tr(e, ALG_OUT, ALG_TCP, TPHONE, REGISTRAR, tcp_register);
	h_run_tr(e, ALG_IN, ALG_TCP, REGISTRAR, TBIND, tcp_register_200);
	h_run_tr(e, ALG_IN, ALG_TCP, REGISTRAR, TBIND, tcp_invite_in);
	CHECK_EQ_INT(H_res.verdict, ALG_FORWARD);
	CHECK(h_line("INVITE sip:phonet@192.168.1.10:5062;transport=tcp SIP/2.0"));
	CHECK(h_line("To: <sip:phonet@example.com>"));
	CHECK_EQ_INT(h_diff_lines(), 1);
	CHECK_EQ_INT(H_res.deliver_to.port, 5062);
	alg_free(e);
}

/* R1/R3 (B18, UDP): an rport UA sending from 5082 whose Via and Contact
 * say 5062: Contact gets the binding (rport does not mean "listens on the
 * source port only", RFC 3581 §3), the Via stays (R4), the 200 restores
 * 5062 exactly and an INVITE to the binding is delivered to 5062. */
static void t_udp_rport_via_port(void)
{
	struct alg_engine *e = h_engine();
	static const char reg[] = "REGISTER sip:example.com SIP/2.0\n"
				  "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bKu1\n"
				  "From: <sip:u@example.com>;tag=1\n"
				  "To: <sip:u@example.com>\n"
				  "Call-ID: udpvia\n"
				  "CSeq: 1 REGISTER\n"
				  "Contact: <sip:u@192.168.1.10:5062>\n"
				  "Expires: 300\n"
				  "Content-Length: 0\n\n";
	h_run_tr(e, ALG_OUT, ALG_UDP, "192.168.1.10:5082", REGISTRAR, reg);
	CHECK(h_line("Contact: <sip:u@203.0.113.1:5082>"));
	CHECK(h_line("Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bKu1"));
	h_run_tr(
	    e, ALG_IN, ALG_UDP, REGISTRAR, "203.0.113.1:5082",
	    "SIP/2.0 200 OK\n"
	    "Via: SIP/2.0/UDP 192.168.1.10:5062;rport=5082;received=203.0.113.1;branch=z9hG4bKu1\n"
	    "From: <sip:u@example.com>;tag=1\n"
	    "To: <sip:u@example.com>;tag=r\n"
	    "Call-ID: udpvia\n"
	    "CSeq: 1 REGISTER\n"
	    "Contact: <sip:u@203.0.113.1:5082>;expires=300\n"
	    "Content-Length: 0\n\n");
	CHECK(h_line("Contact: <sip:u@192.168.1.10:5062>;expires=300"));
	CHECK_EQ_INT(h_diff_lines(), 1);
	h_run_tr(e, ALG_IN, ALG_UDP, REGISTRAR, "203.0.113.1:5082",
		 "INVITE sip:u@203.0.113.1:5082 SIP/2.0\n"
		 "Via: SIP/2.0/UDP 203.0.113.20:5060;branch=z9hG4bKu2\n"
		 "From: <sip:c@example.com>;tag=c\n"
		 "To: <sip:u@example.com>\n"
		 "Call-ID: udpvia-in\n"
		 "CSeq: 1 INVITE\n"
		 "Content-Length: 0\n\n");
	CHECK(h_line("INVITE sip:u@192.168.1.10:5062 SIP/2.0"));
	CHECK_EQ_INT(H_res.deliver_to.port, 5062);
	alg_free(e);
}

/* R1: the Via port only counts for the sender's own Via (host = source
 * IP): a LAN proxy's or another host's Via port never makes a Contact ours,
 * and a Contact of another inside host is left alone (B2, B29). */
static void t_via_port_needs_own_via(void)
{
	struct alg_engine *e = h_engine();
	h_run_tr(e, ALG_OUT, ALG_TCP, TPHONE, REGISTRAR,
		 "REGISTER sip:example.com SIP/2.0\n"
		 "Via: SIP/2.0/TCP 192.168.1.20:5062;rport;branch=z9hG4bKo1\n"
		 "From: <sip:o@example.com>;tag=1\n"
		 "To: <sip:o@example.com>\n"
		 "Call-ID: otherhost\n"
		 "CSeq: 1 REGISTER\n"
		 "Contact: <sip:o@192.168.1.10:5062;transport=tcp>, "
		 "<sip:o@192.168.1.20:5062;transport=tcp>\n"
		 "Content-Length: 0\n\n");
	CHECK(!H_res.changed);
	CHECK(h_same());
	alg_free(e);
}

/* R1/R3 with more Contact and Record-Route items than validation keeps
 * parsed (SIP_VALID_ADDRS, validate.h): the rewrite parses the rest
 * itself, so the ninth Contact and the Record-Route after them are found,
 * named by their index, and the 200 restores the ninth (addr_next()'s
 * fallback walk, rewrite_sip.c). */
static void t_many_contacts(void)
{
	struct alg_engine *e = h_engine();
	static const char reg[] = "REGISTER sip:example.com SIP/2.0\n"
				  "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bKm1\n"
				  "From: <sip:m@example.com>;tag=1\n"
				  "To: <sip:m@example.com>\n"
				  "Call-ID: many\n"
				  "CSeq: 1 REGISTER\n"
				  "Contact: <sip:a@198.51.100.1>, <sip:b@198.51.100.2>, "
				  "<sip:c@198.51.100.3>, <sip:d@198.51.100.4>\n"
				  "Contact: <sip:e@198.51.100.5>, <sip:f@198.51.100.6>, "
				  "<sip:g@198.51.100.7>, <sip:h@198.51.100.8>\n"
				  "Contact: <sip:m@192.168.1.10:5062>;expires=300\n"
				  "Record-Route: <sip:192.168.1.10:5062;lr>\n"
				  "Content-Length: 0\n\n";
	h_run_tr(e, ALG_OUT, ALG_UDP, "192.168.1.10:5062", REGISTRAR, reg);
	CHECK(H_res.changed);
	CHECK(h_line("Contact: <sip:m@203.0.113.1:5062>;expires=300"));
	CHECK(h_line("Record-Route: <sip:203.0.113.1:5062;lr>"));
	CHECK(h_line("Contact: <sip:e@198.51.100.5>, <sip:f@198.51.100.6>, "
		     "<sip:g@198.51.100.7>, <sip:h@198.51.100.8>"));
	CHECK_EQ_INT(h_diff_lines(), 2);
	CHECK_EQ_INT(H_res.nnotes, 2);
	CHECK(H_res.nnotes == 2 && !strcmp(H_res.notes[0].field, "Contact[8].hostport"));
	CHECK(H_res.nnotes == 2 && !strcmp(H_res.notes[1].field, "Record-Route[0].hostport"));
	h_run_tr(e, ALG_IN, ALG_UDP, REGISTRAR, "203.0.113.1:5062",
		 "SIP/2.0 200 OK\n"
		 "Via: SIP/2.0/UDP 192.168.1.10:5062;rport=5062;received=203.0.113.1;"
		 "branch=z9hG4bKm1\n"
		 "From: <sip:m@example.com>;tag=1\n"
		 "To: <sip:m@example.com>;tag=r\n"
		 "Call-ID: many\n"
		 "CSeq: 1 REGISTER\n"
		 "Contact: <sip:a@198.51.100.1>, <sip:b@198.51.100.2>, "
		 "<sip:c@198.51.100.3>, <sip:d@198.51.100.4>, <sip:e@198.51.100.5>, "
		 "<sip:f@198.51.100.6>, <sip:g@198.51.100.7>, <sip:h@198.51.100.8>, "
		 "<sip:m@203.0.113.1:5062>;expires=240\n"
		 "Content-Length: 0\n\n");
	CHECK(h_line("Contact: <sip:a@198.51.100.1>, <sip:b@198.51.100.2>, "
		     "<sip:c@198.51.100.3>, <sip:d@198.51.100.4>, <sip:e@198.51.100.5>, "
		     "<sip:f@198.51.100.6>, <sip:g@198.51.100.7>, <sip:h@198.51.100.8>, "
		     "<sip:m@192.168.1.10:5062>;expires=240"));
	CHECK_EQ_INT(h_diff_lines(), 1);
	const struct alg_action *k = h_action(ALG_ACT_BINDING_KEEP, 0);
	CHECK(k != NULL);
	if (k)
		CHECK_EQ_INT(k->u.binding.expires_ms, H_now + 240000 + 32000);
	alg_free(e);
}

static const struct check_case cases[] = {
    {"more Contacts than validation keeps: the ninth rewritten and restored, Record-Route "
     "after them too (R1,R3,R9)",
     t_many_contacts},
    {"TCP REGISTER from an ephemeral port: Contact on the Via listen port gets the binding, other "
     "port kept (R1,R4)",
     t_tcp_register_out},
    {"TCP REGISTER 200: Contact restored to the exact 5062 the UA wrote, registration kept (R3,R9)",
     t_tcp_register_200_restored},
    {"TCP INVITE to the binding: Request-URI restored to the listen port 5062 (R3)",
     t_tcp_invite_in_restored},
    {"B18 UDP rport UA, Via port != source: Contact mapped, restored, delivered to the Via port "
     "(R1,R3,R4)",
     t_udp_rport_via_port},
    {"Via port counts only for the sender's own Via: another host's Via/Contact untouched (R1,B2)",
     t_via_port_needs_own_via},
    {NULL, NULL},
};

int main(void)
{
	return check_run("alg_contact", cases);
}
