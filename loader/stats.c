// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* stats.c - `bifrostctl status` and `bifrostctl stats` from the pinned maps. */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel_features.h"
#include "stats.h"

struct field {
	const char *name;
	size_t off;
};

#define F(type, f) { #f, offsetof(struct type, f) }
static const struct field global_fields[] = {
	F(bf_global_stats, rx_packets), F(bf_global_stats, rx_bytes),
	F(bf_global_stats, nonguest_passed), F(bf_global_stats, malformed),
};
static const struct field guest_fields[] = {
	F(bf_guest_stats, rx_packets), F(bf_guest_stats, rx_bytes),
	F(bf_guest_stats, redirected), F(bf_guest_stats, passed),
	F(bf_guest_stats, dropped), F(bf_guest_stats, parse_errors),
	F(bf_guest_stats, no_meta),
};
static const struct field backend_fields[] = {
	F(bf_backend_stats, in_packets), F(bf_backend_stats, in_bytes),
	F(bf_backend_stats, out_packets), F(bf_backend_stats, out_bytes),
	F(bf_backend_stats, merged_segs), F(bf_backend_stats, flush_batch_end),
	F(bf_backend_stats, flush_timeout), F(bf_backend_stats, flush_size),
	F(bf_backend_stats, flush_segs), F(bf_backend_stats, flush_flags),
	F(bf_backend_stats, flush_mismatch), F(bf_backend_stats, flush_table_full),
	F(bf_backend_stats, csum_fail), F(bf_backend_stats, tx_packets),
	F(bf_backend_stats, tx_segments), F(bf_backend_stats, drop_no_frame),
	F(bf_backend_stats, drop_port), F(bf_backend_stats, drop_bad_tx),
	F(bf_backend_stats, violations), F(bf_backend_stats, zced_announce),
	F(bf_backend_stats, zced_rejected), F(bf_backend_stats, zced_shared_bytes),
	F(bf_backend_stats, chains_dropped),
	F(bf_backend_stats, drop_guest_full),
	F(bf_backend_stats, rx_multibuf), F(bf_backend_stats, tx_multibuf),
	F(bf_backend_stats, drop_rx_oversize),
	F(bf_backend_stats, vhost_bad_messages), F(bf_backend_stats, vhost_mem_faults),
	F(bf_backend_stats, vhost_reply_stalls),
	F(bf_backend_stats, reloads), F(bf_backend_stats, reload_failures),
};
#undef F
#define NF(a) (sizeof(a) / sizeof(a[0]))

static __u64 fval(const void *s, const struct field *f)
{
	__u64 v;

	memcpy(&v, (const char *)s + f->off, sizeof(v));
	return v;
}

/* Sums a per-CPU value of nwords u64 into out. */
static int percpu_sum(int fd, __u32 key, __u64 *out, size_t nwords)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *buf;
	size_t c, w;

	if (ncpu <= 0)
		return -EINVAL;
	buf = calloc((size_t)ncpu, nwords * sizeof(__u64));
	if (!buf)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, buf)) {
		free(buf);
		return -errno;
	}
	memset(out, 0, nwords * sizeof(__u64));
	for (c = 0; c < (size_t)ncpu; c++)
		for (w = 0; w < nwords; w++)
			out[w] += buf[c * nwords + w];
	free(buf);
	return 0;
}

static bool all_zero(const struct bf_backend_stats *s)
{
	static const struct bf_backend_stats zero;

	return !memcmp(s, &zero, sizeof(zero));
}

/*
 * Reads guest g's queue slots of bf_backend. Shown are its configured
 * queues and any slot past them still holding counts (the guest had more
 * queues before a reload), so the per-queue values always add up to be.
 */
static void backend_read(int fd, struct bf_snap_guest *g)
{
	const size_t n = sizeof(g->be) / sizeof(__u64);
	__u64 *o = (__u64 *)&g->be, gen = 0;
	__u32 q, slot;
	size_t i;

	g->nq = g->guest.nqueues;
	for (q = 0; q < BF_MAX_QUEUES; q++) {
		slot = BF_XSK_SLOT(g->id, q);
		if (bpf_map_lookup_elem(fd, &slot, &g->q[q]))
			memset(&g->q[q], 0, sizeof(g->q[q]));
		if (!all_zero(&g->q[q]) && q >= g->nq)
			g->nq = q + 1;
	}
	for (q = 0; q < g->nq; q++) {
		const __u64 *v = (const __u64 *)&g->q[q];

		for (i = 0; i < n; i++)
			o[i] += v[i];
		if (g->q[q].policy_generation > gen)
			gen = g->q[q].policy_generation;
	}
	/* a generation is not a sum: report the newest any queue applied */
	g->be.policy_generation = gen;
}

int bf_snapshot_take(const char *ifname, struct bf_snapshot *s)
{
	struct bf_info info;
	struct bf_ctl ctl;
	struct bf_maps m;
	struct bf_mac_key key;
	__u32 zero = 0, id;
	int err;

	err = bf_maps_open(ifname, &m);
	if (err)
		return err;
	memset(s, 0, sizeof(*s));
	if (!bpf_map_lookup_elem(m.ctl, &zero, &ctl))
		s->generation = ctl.generation;
	if (!bf_info_read(m.info, &info))	/* bf_maps_open checked its ABI */
		bf_features_from_info(&s->features, &info);
	percpu_sum(m.stats, 0, (__u64 *)&s->global, sizeof(s->global) / 8);
	for (id = 0; id < BF_MAX_GUESTS; id++) {
		struct bf_snap_guest *g = &s->g[s->n];

		if (bpf_map_lookup_elem(m.guest_info, &id, &g->info) || !g->info.in_use)
			continue;
		g->id = id;
		memset(&key, 0, sizeof(key));
		memcpy(key.addr, g->info.mac, 6);
		bpf_map_lookup_elem(m.guests, &key, &g->guest);
		bpf_map_lookup_elem(m.policy, &id, &g->pol);
		percpu_sum(m.gstats, id, (__u64 *)&g->xdp, sizeof(g->xdp) / 8);
		backend_read(m.backend, g);
		s->n++;
	}
	bf_maps_close(&m);
	return 0;
}

static void print_fields_json(const char *name, const void *s,
			      const struct field *f, size_t n)
{
	size_t i;

	printf("\"%s\":{", name);
	for (i = 0; i < n; i++)
		printf("%s\"%s\":%llu", i ? "," : "", f[i].name,
		       (unsigned long long)fval(s, &f[i]));
	printf("}");
}

/* s as a JSON string (RFC 8259: quote, backslash and control bytes escaped). */
static void put_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_json(const char *ifname, const struct bf_snapshot *s)
{
	char mac[18];
	unsigned int i, p;

	printf("{\"iface\":");
	put_json_str(ifname);
	printf(",\"generation\":%llu,", (unsigned long long)s->generation);
	print_fields_json("global", &s->global, global_fields, NF(global_fields));
	printf(",\"guests\":[");
	for (i = 0; i < s->n; i++) {
		const struct bf_snap_guest *g = &s->g[i];

		bf_format_mac(g->info.mac, mac);
		printf("%s{\"name\":\"%s\",\"id\":%u,\"mac\":\"%s\",\"queues\":%u,"
		       "\"policy\":{\"generation\":%u,\"prpr\":%s,\"max_merge\":%u,"
		       "\"max_segs\":%u,\"flush_us\":%u,\"zced_ports\":[",
		       i ? "," : "", g->info.name, g->id, mac, g->guest.nqueues,
		       g->pol.generation, (g->pol.flags & BF_POL_PRPR) ? "true" : "false",
		       g->pol.max_merge_bytes, g->pol.max_segs, g->pol.flush_us);
		for (p = 0; p < g->pol.n_zced_ports && p < BF_MAX_ZCED_PORTS; p++)
			printf("%s%u", p ? "," : "", g->pol.zced_ports[p]);
		printf("]},");
		print_fields_json("xdp", &g->xdp, guest_fields, NF(guest_fields));
		printf(",");
		print_fields_json("backend", &g->be, backend_fields, NF(backend_fields));
		printf(",\"backend_policy_generation\":%llu}",
		       (unsigned long long)g->be.policy_generation);
	}
	printf("]}\n");
}

static void print_fields_text(const char *indent, const void *s, const void *prev,
			      double dt, const struct field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		printf("%s%s=%llu", i % 4 ? "  " : indent, f[i].name,
		       (unsigned long long)fval(s, &f[i]));
		if (prev && dt > 0)
			printf(" (%.0f/s)", (fval(s, &f[i]) - fval(prev, &f[i])) / dt);
		if (i % 4 == 3 || i + 1 == n)
			printf("\n");
	}
}

static void print_text(const char *ifname, const struct bf_snapshot *s,
		       const struct bf_snapshot *prev, double dt)
{
	char mac[18];
	unsigned int i;

	printf("%s: policy generation %llu, %u guest(s)\n", ifname,
	       (unsigned long long)s->generation, s->n);
	printf("  global:\n");
	print_fields_text("    ", &s->global, prev ? &prev->global : NULL, dt,
			  global_fields, NF(global_fields));
	for (i = 0; i < s->n; i++) {
		const struct bf_snap_guest *g = &s->g[i];
		bool same = prev && i < prev->n && prev->g[i].id == g->id;

		bf_format_mac(g->info.mac, mac);
		printf("  guest %s (id %u, %s, %u queue(s), prpr %s, gen %u):\n",
		       g->info.name, g->id, mac, g->guest.nqueues,
		       (g->pol.flags & BF_POL_PRPR) ? "on" : "off", g->pol.generation);
		printf("   xdp:\n");
		print_fields_text("    ", &g->xdp, same ? &prev->g[i].xdp : NULL, dt,
				  guest_fields, NF(guest_fields));
		printf("   backend (policy gen %llu):\n",
		       (unsigned long long)g->be.policy_generation);
		print_fields_text("    ", &g->be, same ? &prev->g[i].be : NULL, dt,
				  backend_fields, NF(backend_fields));
	}
}

int bf_for_each_iface(int (*fn)(const char *, void *), void *arg, int *rc)
{
	struct dirent *de;
	DIR *d = opendir(BF_PIN_ROOT);
	int n = 0, r;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !bf_is_attached(de->d_name))
			continue;
		r = fn(de->d_name, arg);
		if (r && !*rc)
			*rc = r;
		n++;
	}
	closedir(d);
	return n;
}

/* What the pinned link says of the program, for status. */
struct link_view {
	struct bpf_link_info li;
	struct bpf_prog_info pi;
	const char *mode;
	char tag[2 * BPF_TAG_SIZE + 1];
};

static int view_link(const char *ifname, struct link_view *v)
{
	__u32 len = sizeof(v->li);
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int link_fd, prog_fd, ifindex;
	unsigned int i;

	memset(v, 0, sizeof(*v));
	v->mode = "?";
	if (!bf_link_alive(ifname))
		return bf_fail(BF_EXIT_NOT_ATTACHED, "not attached to %s: the program went with an "
			       "earlier interface of that name ('bifrostctl detach %s' removes "
			       "its pins)", ifname, ifname);
	link_fd = bf_pin_open(ifname, BF_PIN_LINK);
	if (link_fd < 0 || bpf_obj_get_info_by_fd(link_fd, &v->li, &len)) {
		if (link_fd >= 0)
			close(link_fd);
		return bf_fail(BF_EXIT_ERROR, "%s: cannot read pinned link", ifname);
	}
	close(link_fd);
	prog_fd = bpf_prog_get_fd_by_id(v->li.prog_id);
	len = sizeof(v->pi);
	if (prog_fd >= 0) {
		bpf_obj_get_info_by_fd(prog_fd, &v->pi, &len);
		close(prog_fd);
	}
	ifindex = if_nametoindex(ifname);
	if (ifindex && !bpf_xdp_query(ifindex, 0, &q))
		v->mode = q.attach_mode == XDP_ATTACHED_DRV ? "native" :
			  q.attach_mode == XDP_ATTACHED_SKB ? "generic" :
			  q.attach_mode == XDP_ATTACHED_HW ? "hw" :
			  q.attach_mode == XDP_ATTACHED_MULTI ? "multi" : "none";
	for (i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(v->tag + 2 * i, 3, "%02x", v->pi.tag[i]);
	return 0;
}

static void status_text(const char *ifname, const struct link_view *v,
			const struct bf_features *ft, const struct bf_snapshot *s)
{
	char line[256], mac[18];
	unsigned int i;
	int f;

	printf("%s: attached (%s), link id %u, prog id %u name %s tag %s\n",
	       ifname, v->mode, v->li.id, v->li.prog_id, v->pi.name, v->tag);
	printf("  map ABI %u\n", BF_ABI_VERSION);
	for (f = 0; f < BF_FEAT_COUNT; f++) {
		bf_feature_describe(ft, f, line, sizeof(line));
		printf("  %s\n", line);
	}
	printf("  policy generation %llu, %u guest(s)\n",
	       (unsigned long long)s->generation, s->n);
	for (i = 0; i < s->n; i++) {
		bf_format_mac(s->g[i].info.mac, mac);
		printf("  guest %-16s id %-2u mac %s queues %u prpr %s\n",
		       s->g[i].info.name, s->g[i].id, mac, s->g[i].guest.nqueues,
		       (s->g[i].pol.flags & BF_POL_PRPR) ? "on" : "off");
	}
}

/* One JSON object on one line (JSON lines, like stats --json). */
static void status_json(const char *ifname, const struct link_view *v,
			const struct bf_features *ft, const struct bf_snapshot *s)
{
	char why[128], mac[18];
	unsigned int i;
	int f;

	printf("{\"iface\":");
	put_json_str(ifname);
	printf(",\"attached\":true,\"mode\":\"%s\",\"link_id\":%u,"
	       "\"prog_id\":%u,\"prog_name\":\"%s\",\"tag\":\"%s\",\"map_abi\":%u,"
	       "\"features\":{", v->mode, v->li.id, v->li.prog_id, v->pi.name,
	       v->tag, BF_ABI_VERSION);
	for (f = 0; f < BF_FEAT_COUNT; f++)
		printf("%s\"%s\":{\"on\":%s,\"reason\":\"%s\"}", f ? "," : "",
		       bf_feature_key(f), bf_feature_on(ft, f) ? "true" : "false",
		       bf_feature_reason(ft, f, why, sizeof(why)));
	printf("},\"policy_generation\":%llu,\"guests\":[",
	       (unsigned long long)s->generation);
	for (i = 0; i < s->n; i++) {
		bf_format_mac(s->g[i].info.mac, mac);
		printf("%s{\"name\":", i ? "," : "");
		put_json_str(s->g[i].info.name);
		printf(",\"id\":%u,\"mac\":\"%s\",\"queues\":%u,\"prpr\":%s}",
		       s->g[i].id, mac, s->g[i].guest.nqueues,
		       (s->g[i].pol.flags & BF_POL_PRPR) ? "true" : "false");
	}
	printf("]}\n");
}

static int status_one(const char *ifname, void *arg)
{
	const bool *json = arg;
	struct bf_snapshot *s;
	struct link_view v;
	char err[512];
	int ret;

	ret = view_link(ifname, &v);
	if (ret)
		return ret;
	s = malloc(sizeof(*s));
	if (!s)
		return BF_EXIT_ERROR;
	ret = bf_snapshot_take(ifname, s);
	if (ret) {
		free(s);
		bf_maps_strerror(ifname, ret, err, sizeof(err));
		return bf_fail(ret == -EPROTO ? BF_EXIT_ABI : BF_EXIT_ERROR, "%s", err);
	}
	if (*json)
		status_json(ifname, &v, &s->features, s);
	else
		status_text(ifname, &v, &s->features, s);
	free(s);
	return 0;
}

int bf_cmd_status(const char *ifname, bool json)
{
	int rc = 0;

	if (ifname) {
		if (!if_nametoindex(ifname))
			return bf_fail(BF_EXIT_NO_IFACE, "no such interface: %s", ifname);
		if (!bf_is_attached(ifname))
			return bf_fail(BF_EXIT_NOT_ATTACHED, "not attached to %s", ifname);
		return status_one(ifname, &json);
	}
	if (!bf_for_each_iface(status_one, &json, &rc) && !json)
		printf("not attached to any interface\n");
	return rc;
}

struct stats_args {
	enum bf_stats_format fmt;
	double dt;
	struct bf_snapshot *prev, *cur;
};

static int stats_one(const char *ifname, void *arg)
{
	struct stats_args *a = arg;
	int err = bf_snapshot_take(ifname, a->cur);
	char why[512];

	if (err) {
		bf_maps_strerror(ifname, err, why, sizeof(why));
		return bf_fail(err == -EPROTO ? BF_EXIT_ABI : BF_EXIT_ERROR,
			       "cannot read maps: %s", why);
	}
	if (a->fmt == BF_STATS_JSON)
		print_json(ifname, a->cur);
	else
		print_text(ifname, a->cur, a->prev, a->dt);
	return 0;
}

int bf_stats_check_iface(const char *ifname)
{
	if (!ifname)
		return BF_EXIT_OK;
	if (!if_nametoindex(ifname))
		return bf_fail(BF_EXIT_NO_IFACE, "no such interface: %s", ifname);
	if (!bf_is_attached(ifname))
		return bf_fail(BF_EXIT_NOT_ATTACHED, "not attached to %s", ifname);
	return BF_EXIT_OK;
}

/* One round of output: ifname, or every attached interface. */
static int stats_round(const char *ifname, struct stats_args *a)
{
	char err[256];
	int rc = 0;

	if (a->fmt == BF_STATS_PROM) {
		rc = bf_prom_collect(stdout, ifname, err, sizeof(err));
		return rc ? bf_fail(rc, "%s", err) : 0;
	}
	if (ifname)
		return stats_one(ifname, a);
	if (!bf_for_each_iface(stats_one, a, &rc))
		rc = bf_fail(BF_EXIT_NOT_ATTACHED, "not attached to any interface");
	return rc;
}

int bf_cmd_stats(const char *ifname, enum bf_stats_format fmt, double interval, long count)
{
	struct bf_snapshot *buf = calloc(2, sizeof(*buf));
	struct stats_args a = { .fmt = fmt, .dt = interval };
	struct timespec ts;
	long i;
	int rc;

	if (!buf)
		return BF_EXIT_ERROR;
	rc = bf_stats_check_iface(ifname);
	for (i = 0; !rc && (count <= 0 || i < count); i++) {
		a.cur = &buf[i & 1];
		a.prev = (i && ifname) ? &buf[(i + 1) & 1] : NULL;
		rc = stats_round(ifname, &a);
		fflush(stdout);
		if (interval <= 0 || (count > 0 && i + 1 >= count))
			break;
		ts.tv_sec = (time_t)interval;
		ts.tv_nsec = (long)((interval - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
	free(buf);
	return rc;
}
