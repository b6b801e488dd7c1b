// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * prom.c - every counter of `bifrostctl stats` in the Prometheus text
 * exposition format 0.0.4 (node_exporter's textfile collector, or
 * `--listen`): one family per kind of counter, with iface, guest, queue
 * and reason as labels, base units, `_total` on counters.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "stats.h"

/* Where a family's value comes from. */
enum src {
	SRC_CTL,	/* the interface's policy generation */
	SRC_GLOBAL,	/* u64 at off in struct bf_global_stats */
	SRC_INFO,	/* constant 1 with the guest's id and MAC as labels */
	SRC_GUEST,	/* get(guest): configuration of the guest */
	SRC_XDP,	/* u64 at off in struct bf_guest_stats */
	SRC_QUEUE,	/* u64 at off in struct bf_backend_stats, per queue */
};

struct metric {
	const char *name, *type, *help;
	enum src src;
	size_t off;
	double (*get)(const struct bf_snap_guest *g);
	const char *label, *value;	/* one more label, or NULL */
};

static double g_queues(const struct bf_snap_guest *g) { return g->guest.nqueues; }
static double g_prpr(const struct bf_snap_guest *g) { return !!(g->pol.flags & BF_POL_PRPR); }
static double g_gen(const struct bf_snap_guest *g) { return g->pol.generation; }
static double g_merge(const struct bf_snap_guest *g) { return g->pol.max_merge_bytes; }
static double g_segs(const struct bf_snap_guest *g) { return g->pol.max_segs; }
static double g_flush(const struct bf_snap_guest *g) { return g->pol.flush_us / 1e6; }
static double g_zports(const struct bf_snap_guest *g) { return g->pol.n_zced_ports; }

#define C "counter"
#define G "gauge"
#define GL(f) SRC_GLOBAL, offsetof(struct bf_global_stats, f), NULL, NULL, NULL
#define GU(fn) SRC_GUEST, 0, fn, NULL, NULL
#define XD(f) SRC_XDP, offsetof(struct bf_guest_stats, f), NULL, NULL, NULL
#define BE(f) SRC_QUEUE, offsetof(struct bf_backend_stats, f), NULL, NULL, NULL
#define BEL(f, l, v) SRC_QUEUE, offsetof(struct bf_backend_stats, f), NULL, l, v

/* Rows of one family are adjacent; each family's HELP names its fields. */
static const struct metric metrics[] = {
	{ "bifrost_policy_generation", G, "Policy generation of the interface, "
	  "bumped by every reload (generation).", SRC_CTL, 0, NULL, NULL, NULL },
	{ "bifrost_xdp_packets_total", C, "Frames the XDP program saw (global rx_packets).",
	  GL(rx_packets) },
	{ "bifrost_xdp_bytes_total", C, "Bytes of the frames the XDP program saw "
	  "(global rx_bytes).", GL(rx_bytes) },
	{ "bifrost_xdp_non_guest_packets_total", C, "Frames for no configured guest, "
	  "passed to the host stack (global nonguest_passed).", GL(nonguest_passed) },
	{ "bifrost_xdp_malformed_packets_total", C, "Frames shorter than an Ethernet "
	  "header (global malformed).", GL(malformed) },
	{ "bifrost_guest_info", G, "Guest in the policy, with its id and MAC (always 1).",
	  SRC_INFO, 0, NULL, NULL, NULL },
	{ "bifrost_guest_queues", G, "Queue pairs of the guest (queues).", GU(g_queues) },
	{ "bifrost_guest_prpr_enabled", G, "1 when PRPR merges segments for the guest "
	  "(policy prpr).", GU(g_prpr) },
	{ "bifrost_guest_policy_generation", G, "Policy generation that last wrote the "
	  "guest's policy (policy generation).", GU(g_gen) },
	{ "bifrost_guest_max_merge_bytes", G, "Largest IP payload of a merged packet "
	  "(policy max_merge).", GU(g_merge) },
	{ "bifrost_guest_max_merge_segments", G, "Most segments in a merged packet "
	  "(policy max_segs).", GU(g_segs) },
	{ "bifrost_guest_flush_timeout_seconds", G, "Longest hold of a packet for merging "
	  "(policy flush_us).", GU(g_flush) },
	{ "bifrost_guest_zced_ports", G, "TCP ports whose traffic uses ZCED in the guest "
	  "(length of policy zced_ports).", GU(g_zports) },
	{ "bifrost_guest_xdp_packets_total", C, "Frames addressed to the guest (xdp rx_packets).",
	  XD(rx_packets) },
	{ "bifrost_guest_xdp_bytes_total", C, "Bytes of the frames addressed to the guest "
	  "(xdp rx_bytes).", XD(rx_bytes) },
	{ "bifrost_guest_xdp_redirected_packets_total", C, "Frames handed to the guest's "
	  "AF_XDP sockets (xdp redirected).", XD(redirected) },
	{ "bifrost_guest_xdp_passed_packets_total", C, "Frames passed to the host stack: "
	  "no AF_XDP socket in the slot (xdp passed).", XD(passed) },
	{ "bifrost_guest_xdp_dropped_packets_total", C, "Frames dropped: malformed or "
	  "metadata failure (xdp dropped).", XD(dropped) },
	{ "bifrost_guest_xdp_parse_errors_total", C, "Malformed frames, a subset of the "
	  "dropped ones (xdp parse_errors).", XD(parse_errors) },
	{ "bifrost_guest_xdp_no_metadata_packets_total", C, "Frames redirected without "
	  "metadata (xdp no_meta).", XD(no_meta) },
	{ "bifrost_backend_in_packets_total", C, "Wire to guest: frames the backend took "
	  "from AF_XDP (backend in_packets).", BE(in_packets) },
	{ "bifrost_backend_in_bytes_total", C, "Wire to guest: bytes of those frames "
	  "(backend in_bytes).", BE(in_bytes) },
	{ "bifrost_backend_out_packets_total", C, "Wire to guest: packets delivered to "
	  "the guest port (backend out_packets).", BE(out_packets) },
	{ "bifrost_backend_out_bytes_total", C, "Wire to guest: bytes of those packets "
	  "(backend out_bytes).", BE(out_bytes) },
	{ "bifrost_backend_merged_segments_total", C, "Segments PRPR folded into an "
	  "earlier packet (backend merged_segs).", BE(merged_segs) },
	{ "bifrost_backend_flushes_total", C, "Merged packets PRPR emitted, by reason "
	  "(backend flush_REASON).", BEL(flush_batch_end, "reason", "batch_end") },
	{ "bifrost_backend_flushes_total", NULL, NULL, BEL(flush_timeout, "reason", "timeout") },
	{ "bifrost_backend_flushes_total", NULL, NULL, BEL(flush_size, "reason", "size") },
	{ "bifrost_backend_flushes_total", NULL, NULL, BEL(flush_segs, "reason", "segs") },
	{ "bifrost_backend_flushes_total", NULL, NULL, BEL(flush_flags, "reason", "flags") },
	{ "bifrost_backend_flushes_total", NULL, NULL,
	  BEL(flush_mismatch, "reason", "mismatch") },
	{ "bifrost_backend_flushes_total", NULL, NULL,
	  BEL(flush_table_full, "reason", "table_full") },
	{ "bifrost_backend_checksum_failures_total", C, "Packets whose checksum PRPR "
	  "found wrong (backend csum_fail).", BE(csum_fail) },
	{ "bifrost_backend_tx_packets_total", C, "Guest to wire: packets read from the "
	  "guest port (backend tx_packets).", BE(tx_packets) },
	{ "bifrost_backend_tx_segments_total", C, "Guest to wire: frames put on the "
	  "AF_XDP TX ring (backend tx_segments).", BE(tx_segments) },
	{ "bifrost_backend_dropped_packets_total", C, "Packets the backend dropped, by "
	  "reason (backend drop_REASON).", BEL(drop_no_frame, "reason", "no_frame") },
	{ "bifrost_backend_dropped_packets_total", NULL, NULL, BEL(drop_port, "reason", "port") },
	{ "bifrost_backend_dropped_packets_total", NULL, NULL,
	  BEL(drop_bad_tx, "reason", "bad_tx") },
	{ "bifrost_backend_dropped_packets_total", NULL, NULL,
	  BEL(drop_guest_full, "reason", "guest_full") },
	{ "bifrost_backend_dropped_packets_total", NULL, NULL,
	  BEL(drop_rx_oversize, "reason", "rx_oversize") },
	{ "bifrost_backend_cvm_violations_total", C, "CVM guest buffers outside the "
	  "shared ranges, never touched (backend violations).", BE(violations) },
	{ "bifrost_backend_policy_generation", G, "Policy generation the queue's worker "
	  "applied last (backend_policy_generation: the newest of the queues).",
	  BE(policy_generation) },
	{ "bifrost_backend_zced_registrations_total", C, "In-band ZCED pool registrations "
	  "of the guest, by result (backend zced_announce, zced_rejected).",
	  BEL(zced_announce, "result", "accepted") },
	{ "bifrost_backend_zced_registrations_total", NULL, NULL,
	  BEL(zced_rejected, "result", "rejected") },
	{ "bifrost_backend_zced_shared_bytes", G, "Bytes the guest has registered for its "
	  "ZCED pool (backend zced_shared_bytes).", BE(zced_shared_bytes) },
	{ "bifrost_backend_dropped_chains_total", C, "Legal guest descriptor chains not "
	  "served, returned unused (backend chains_dropped).", BE(chains_dropped) },
	{ "bifrost_backend_rx_multibuf_frames_total", C, "Jumbo frames gathered from "
	  "several UMEM frames (backend rx_multibuf).", BE(rx_multibuf) },
	{ "bifrost_backend_tx_multibuf_frames_total", C, "Jumbo frames sent as several "
	  "descriptors (backend tx_multibuf).", BE(tx_multibuf) },
	{ "bifrost_backend_vhost_bad_messages_total", C, "vhost-user messages refused "
	  "(backend vhost_bad_messages).", BE(vhost_bad_messages) },
	{ "bifrost_backend_vhost_memory_faults_total", C, "Guest memory gone under the "
	  "backend: front-end dropped (backend vhost_mem_faults).", BE(vhost_mem_faults) },
	{ "bifrost_backend_vhost_reply_stalls_total", C, "Replies the front-end did not "
	  "take: front-end dropped (backend vhost_reply_stalls).", BE(vhost_reply_stalls) },
	{ "bifrost_backend_reloads_total", C, "Config reloads (SIGHUP) of the bifrost-host "
	  "process serving the guest (backend reloads).", BE(reloads) },
	{ "bifrost_backend_reload_failures_total", C, "Of those, reloads refused (bad file) "
	  "or that could not start a guest (backend reload_failures).",
	  BE(reload_failures) },
};

/* A label value with \, " and newline escaped. */
static void put_label(FILE *f, const char *name, const char *v, bool first)
{
	fprintf(f, "%s%s=\"", first ? "" : ",", name);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
	fputc('"', f);
}

static __u64 u64_at(const void *s, size_t off)
{
	__u64 v;

	memcpy(&v, (const char *)s + off, sizeof(v));
	return v;
}

/* Samples of m for one guest: per guest, or per queue slot. */
static void guest_samples(FILE *f, const struct metric *m, const char *ifname,
			  const struct bf_snap_guest *g)
{
	char mac[18], id[12], q[12];
	unsigned int i;

	for (i = 0; i < (m->src == SRC_QUEUE ? g->nq : 1); i++) {
		fprintf(f, "%s{", m->name);
		put_label(f, "iface", ifname, true);
		put_label(f, "guest", g->info.name, false);
		if (m->src == SRC_INFO) {
			bf_format_mac(g->info.mac, mac);
			snprintf(id, sizeof(id), "%u", g->id);
			put_label(f, "id", id, false);
			put_label(f, "mac", mac, false);
		} else if (m->src == SRC_QUEUE) {
			snprintf(q, sizeof(q), "%u", i);
			put_label(f, "queue", q, false);
		}
		if (m->label)
			put_label(f, m->label, m->value, false);
		if (m->src == SRC_GUEST)
			fprintf(f, "} %.15g\n", m->get(g));
		else if (m->src == SRC_INFO)
			fputs("} 1\n", f);
		else
			fprintf(f, "} %llu\n", (unsigned long long)u64_at(
				m->src == SRC_XDP ? (const void *)&g->xdp : &g->q[i], m->off));
	}
}

/* Samples of m for one interface. */
static void samples(FILE *f, const struct metric *m, const char *ifname,
		    const struct bf_snapshot *s)
{
	unsigned int i;

	if (m->src == SRC_CTL || m->src == SRC_GLOBAL) {
		fprintf(f, "%s{", m->name);
		put_label(f, "iface", ifname, true);
		fprintf(f, "} %llu\n", (unsigned long long)(m->src == SRC_CTL ?
			s->generation : u64_at(&s->global, m->off)));
		return;
	}
	for (i = 0; i < s->n; i++)
		guest_samples(f, m, ifname, &s->g[i]);
}

/* The info metric of the XDP program's optional kernel features. */
static void feature_samples(FILE *f, const char *const *ifnames,
			    const struct bf_snapshot *const *snaps, unsigned int n)
{
	char why[128];
	unsigned int k;
	int ft;

	fprintf(f, "# HELP bifrost_kernel_feature_info Optional kernel features of the "
		"interface's XDP program (bifrostctl status): state on or off, and why "
		"when off.\n# TYPE bifrost_kernel_feature_info gauge\n");
	for (k = 0; k < n; k++) {
		for (ft = 0; ft < BF_FEAT_COUNT; ft++) {
			fprintf(f, "bifrost_kernel_feature_info{");
			put_label(f, "iface", ifnames[k], true);
			put_label(f, "feature", bf_feature_key(ft), false);
			put_label(f, "state", bf_feature_on(&snaps[k]->features, ft) ?
				  "on" : "off", false);
			put_label(f, "reason", bf_feature_reason(&snaps[k]->features, ft,
								 why, sizeof(why)), false);
			fputs("} 1\n", f);
		}
	}
}

void bf_prom_write(FILE *f, const char *const *ifnames,
		   const struct bf_snapshot *const *snaps, unsigned int n)
{
	const struct metric *m;
	unsigned int k;

	feature_samples(f, ifnames, snaps, n);
	for (m = metrics; m < metrics + sizeof(metrics) / sizeof(metrics[0]); m++) {
		if (m->help)
			fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help,
				m->name, m->type);
		for (k = 0; k < n; k++)
			samples(f, m, ifnames[k], snaps[k]);
	}
}

#define PROM_MAX_IFACES	64

/* The interfaces of one exposition and their snapshots. */
struct prom_set {
	unsigned int n;
	char names[PROM_MAX_IFACES][IF_NAMESIZE];
	const char *name[PROM_MAX_IFACES];
	struct bf_snapshot *snap[PROM_MAX_IFACES];
};

static int add_iface(const char *ifname, void *arg)
{
	struct prom_set *ps = arg;

	if (ps->n >= PROM_MAX_IFACES || strlen(ifname) >= IF_NAMESIZE)
		return 0;	/* past the bound: left out, never overrun */
	strcpy(ps->names[ps->n], ifname);
	ps->name[ps->n] = ps->names[ps->n];
	ps->n++;
	return 0;
}

/*
 * Snapshots of every interface of ps. With all set (no IFACE given), an
 * interface whose maps are of another map ABI is left out with a warning,
 * so one stale attachment does not blank every interface's metrics.
 */
static int take_all(struct prom_set *ps, bool all, char *err, size_t errlen)
{
	unsigned int k, n = 0;
	char why[512];
	int e;

	for (k = 0; k < ps->n; k++) {
		ps->snap[n] = malloc(sizeof(*ps->snap[n]));
		if (!ps->snap[n]) {
			snprintf(err, errlen, "out of memory");
			return BF_EXIT_ERROR;
		}
		e = bf_snapshot_take(ps->name[k], ps->snap[n]);
		if (e == -EPROTO && all) {
			bf_maps_strerror(ps->name[k], e, why, sizeof(why));
			bf_warn("left out: %s", why);
			free(ps->snap[n]);
			ps->snap[n] = NULL;
			continue;
		}
		if (e) {
			bf_maps_strerror(ps->name[k], e, err, errlen);
			return e == -ENOENT ? BF_EXIT_NOT_ATTACHED :
			       e == -EPROTO ? BF_EXIT_ABI : BF_EXIT_ERROR;
		}
		ps->name[n++] = ps->name[k];
	}
	if (!n) {	/* every interface left out: say why, not an empty page */
		bf_maps_strerror(ps->name[ps->n - 1], -EPROTO, err, errlen);
		return BF_EXIT_ABI;
	}
	ps->n = n;
	return BF_EXIT_OK;
}

int bf_prom_collect(FILE *f, const char *ifname, char *err, size_t errlen)
{
	struct prom_set *ps = calloc(1, sizeof(*ps));
	unsigned int k;
	int rc = 0;

	if (!ps) {
		snprintf(err, errlen, "out of memory");
		return BF_EXIT_ERROR;
	}
	if (ifname)
		add_iface(ifname, ps);
	else
		bf_for_each_iface(add_iface, ps, &rc);
	if (!ps->n) {
		snprintf(err, errlen, "not attached to any interface");
		rc = BF_EXIT_NOT_ATTACHED;
	} else {
		rc = take_all(ps, !ifname, err, errlen);
	}
	if (!rc)
		bf_prom_write(f, ps->name, (const struct bf_snapshot *const *)ps->snap, ps->n);
	for (k = 0; k < PROM_MAX_IFACES; k++)
		free(ps->snap[k]);
	free(ps);
	return rc;
}
