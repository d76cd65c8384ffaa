/*
 * fw_helper.c - is the kernel's own SIP ALG (nf_conntrack_sip/nf_nat_sip)
 * attached to traffic in this network namespace?  Two of them on one path
 * rewrite each other's rewrites, so sipalgd refuses to start (or warns).
 *
 * Since Linux 6.0 the helper is only attached by rule, so we look for:
 *   1. `ct helper` objects of type "sip" in any nft table (and the rules
 *      that reference them: `... ct helper set "NAME"`);
 *   2. conntrack entries already using helper "sip" (this also catches
 *      iptables-legacy `-j CT --helper sip`, which nft cannot see).
 * The message in `why` names the objects and the commands that detach them.
 * Own short-lived netlink sockets; no state.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "daemon/fw_int.h"

#define FW_UNLOAD_HINT "or unload it: modprobe -r nf_nat_sip nf_conntrack_sip"

struct helper_scan {
	char *why;
	size_t len, pos;
	int found;
	/* the object being looked for in the rules (step 1) */
	const char *table, *obj;
	uint32_t family;
	int hit; /* the rule being parsed references obj */
};

static const char *family_name(uint32_t f)
{
	switch (f) {
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_BRIDGE:
		return "bridge";
	case NFPROTO_NETDEV:
		return "netdev";
	case NFPROTO_ARP:
		return "arp";
	default:
		return "?";
	}
}

static void why_add(struct helper_scan *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void why_add(struct helper_scan *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!s->why || s->pos >= s->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->why + s->pos, s->len - s->pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->pos += (size_t)n < s->len - s->pos ? (size_t)n : s->len - s->pos - 1;
}

/* ---- rules that reference one helper object ----------------------------- */

static int rule_expr_cb(struct nftnl_expr *e, void *data)
{
	struct helper_scan *s = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (strcmp(name, "objref") != 0 ||
	    !nftnl_expr_is_set(e, NFTNL_EXPR_OBJREF_IMM_NAME) ||
	    nftnl_expr_get_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE) != NFT_OBJECT_CT_HELPER)
		return 0;
	if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_OBJREF_IMM_NAME), s->obj) == 0)
		s->hit = 1;
	return 0;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct helper_scan *s = data;
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return MNL_CB_ERROR;
	s->hit = 0;
	if (nftnl_rule_nlmsg_parse(nlh, r) == 0 && nftnl_expr_foreach(r, rule_expr_cb, s) == 0 &&
	    s->hit)
		why_add(s, "nft delete rule %s %s %s handle %llu; ", family_name(s->family),
			s->table, nftnl_rule_get_str(r, NFTNL_RULE_CHAIN),
			(unsigned long long)nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE));
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

/* `nft delete rule FAMILY TABLE CHAIN handle N; ` for each user. */
static void list_users(struct mnl_socket *nl, struct helper_scan *s)
{
	char buf[FW_NL_BUF];
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (!r)
		return;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, (uint16_t)s->family, NLM_F_DUMP,
				    (uint32_t)time(NULL));
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, s->table);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	fw_nl_talk(nl, nlh, rule_cb, s);
}

/* ---- step 1: ct helper objects ----------------------------------------- */

struct helper_obj {
	char table[64], name[64];
	uint32_t family;
};

#define FW_HELPER_OBJS_MAX 8

struct obj_list {
	struct helper_obj o[FW_HELPER_OBJS_MAX];
	unsigned n;
};

static int obj_cb(const struct nlmsghdr *nlh, void *data)
{
	struct obj_list *l = data;
	struct nftnl_obj *o = nftnl_obj_alloc();
	struct helper_obj *h;

	if (!o)
		return MNL_CB_ERROR;
	if (nftnl_obj_nlmsg_parse(nlh, o) == 0 &&
	    nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) == NFT_OBJECT_CT_HELPER &&
	    nftnl_obj_is_set(o, NFTNL_OBJ_CT_HELPER_NAME) &&
	    strcmp(nftnl_obj_get_str(o, NFTNL_OBJ_CT_HELPER_NAME), "sip") == 0 &&
	    l->n < FW_HELPER_OBJS_MAX) {
		h = &l->o[l->n++];
		snprintf(h->table, sizeof(h->table), "%s", nftnl_obj_get_str(o, NFTNL_OBJ_TABLE));
		snprintf(h->name, sizeof(h->name), "%s", nftnl_obj_get_str(o, NFTNL_OBJ_NAME));
		h->family = nftnl_obj_get_u32(o, NFTNL_OBJ_FAMILY);
	}
	nftnl_obj_free(o);
	return MNL_CB_OK;
}

static int scan_objects(struct mnl_socket *nl, struct helper_scan *s)
{
	char buf[FW_NL_BUF];
	struct obj_list l = { .n = 0 };
	struct nlmsghdr *nlh;
	unsigned i;
	int err;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETOBJ, NFPROTO_UNSPEC, NLM_F_DUMP,
				    (uint32_t)time(NULL));
	err = fw_nl_talk(nl, nlh, obj_cb, &l);
	if (err)
		return err;
	for (i = 0; i < l.n; i++) {
		s->found = 1;
		s->table = l.o[i].table;
		s->obj = l.o[i].name;
		s->family = l.o[i].family;
		why_add(s,
			"kernel SIP helper attached by ct helper \"%s\" (type \"sip\") "
			"in table %s %s; detach: ",
			s->obj, family_name(s->family), s->table);
		list_users(nl, s);
		why_add(s, "nft delete ct helper %s %s %s; ", family_name(s->family), s->table,
			s->obj);
	}
	return 0;
}

/* ---- step 2: conntrack entries with helper "sip" ------------------------ */

static int ct_cb(const struct nlmsghdr *nlh, void *data)
{
	struct helper_scan *s = data;
	const struct nlattr *a, *h;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if ((mnl_attr_get_type(a) & NLA_TYPE_MASK) != CTA_HELP)
			continue;
		mnl_attr_for_each_nested(h, a) {
			if (mnl_attr_get_type(h) == CTA_HELP_NAME &&
			    strcmp(mnl_attr_get_str(h), "sip") == 0)
				s->found |= 2;
		}
	}
	return MNL_CB_OK;
}

static int scan_conntrack(struct helper_scan *s)
{
	char buf[FW_NL_BUF];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	int err;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out;
	}
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	err = fw_nl_talk(nl, nlh, ct_cb, s);
	if (err == -ENOENT || err == -EOPNOTSUPP)
		err = 0; /* no conntrack in this namespace: nothing attached */
out:
	if (nl)
		mnl_socket_close(nl);
	return err;
}

int fw_sip_helper_attached(char *why, size_t why_len)
{
	struct helper_scan s = { .why = why, .len = why_len };
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	int err;

	if (why && why_len)
		why[0] = '\0';
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out;
	}
	err = scan_objects(nl, &s);
	if (!err)
		err = scan_conntrack(&s);
	if (err)
		goto out;
	if (s.found & 2)
		why_add(&s, "conntrack entries use helper \"sip\" (an iptables "
			    "`-j CT --helper sip` rule or an nft `ct helper set` rule); "
			    "remove that rule and run `conntrack -F`; ");
	if (s.found)
		why_add(&s, FW_UNLOAD_HINT);
	else
		why_add(&s, "kernel SIP helper not attached");
	err = s.found ? 1 : 0;
out:
	if (nl)
		mnl_socket_close(nl);
	return err;
}
