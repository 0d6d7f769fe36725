// SPDX-License-Identifier: GPL-2.0-only
/*
 * peers.c - the general allocators an isolated run runs under the malloc
 * backend (LD_PRELOAD in the group's child): jemalloc, tcmalloc and
 * mimalloc as Debian packages them, found by their library files, with
 * their package versions for meta.json.
 *
 * Part of the isolated executor (peers.h); calls only jsonw.c.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/peers.h"

#if defined(__x86_64__)
#define PB_MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define PB_MULTIARCH "aarch64-linux-gnu"
#else
#define PB_MULTIARCH ""
#endif

static const struct pb_peer_lib peer_libs[PB_NR_PEERS] = {
	{ "jemalloc", "libjemalloc.so.2", "libjemalloc2" },
	{ "tcmalloc", "libtcmalloc_minimal.so.4", "libtcmalloc-minimal4" },
	{ "mimalloc", "libmimalloc.so.2", "libmimalloc2.0" },
};

static void deb_version(const char *package, char *buf, size_t len)
{
	char cmd[256];
	FILE *p;

	snprintf(buf, len, "unknown (dpkg-query failed)");
	snprintf(cmd, sizeof(cmd), "dpkg-query -W -f='${Version}' %s 2>/dev/null",
		 package);
	p = popen(cmd, "r");
	if (!p)
		return;
	if (fgets(buf, (int)len, p))
		buf[strcspn(buf, "\n")] = '\0';
	if (pclose(p) != 0 || !buf[0])
		snprintf(buf, len, "unknown (%s not known to dpkg)", package);
}

static void find_peer(struct pb_peer *p, const struct pb_peer_lib *lib)
{
	static const char *const dirs[] = {
		"/usr/lib/" PB_MULTIARCH, "/lib/" PB_MULTIARCH, "/usr/lib64",
		"/usr/lib", "/usr/local/lib",
	};

	memset(p, 0, sizeof(*p));
	p->lib = lib;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", dirs[i], lib->soname);
		if (access(path, R_OK) || !realpath(path, p->path))
			continue;
		p->found = true;
		deb_version(lib->package, p->version, sizeof(p->version));
		return;
	}
}

/* Which peers run: every installed one, or those --peers names. */
int pb_peers_select(struct pb_peers *s, const struct pb_run_opts *o, char *err,
		    size_t errlen)
{
	deb_version("libc6", s->glibc_version, sizeof(s->glibc_version));
	for (size_t i = 0; i < PB_NR_PEERS; i++)
		find_peer(&s->peer[i], &peer_libs[i]);
	if (!o->peers_given)
		return 0;
	for (size_t i = 0; i < PB_NR_PEERS; i++) {
		bool named = false;

		for (size_t j = 0; j < o->nr_peers; j++)
			named |= !strcmp(o->peers[j], peer_libs[i].name);
		if (named && !s->peer[i].found) {
			snprintf(err, errlen, "--peers: %s is not installed (%s not "
				 "found; Debian package %s: scripts/setup/install-deps.sh)",
				 peer_libs[i].name, peer_libs[i].soname,
				 peer_libs[i].package);
			return -1;
		}
		if (!named)
			s->peer[i].found = false;	/* not asked for */
	}
	for (size_t j = 0; j < o->nr_peers; j++) {
		bool known = false;

		for (size_t i = 0; i < PB_NR_PEERS; i++)
			known |= !strcmp(o->peers[j], peer_libs[i].name);
		if (!known) {
			snprintf(err, errlen, "--peers: unknown allocator '%s' (valid: "
				 "jemalloc, tcmalloc, mimalloc, or none)", o->peers[j]);
			return -1;
		}
	}
	return 0;
}

void pb_peers_meta(const struct pb_peers *p, const struct pb_run_opts *o,
		   struct pb_jw *w)
{
	pb_jw_arr_begin(w, "peers");
	pb_jw_obj_begin(w, NULL);
	pb_jw_str(w, "label", "malloc");
	pb_jw_str(w, "allocator", "glibc");
	pb_jw_str(w, "library", "libc.so.6 (the process's own malloc)");
	pb_jw_str(w, "package", "libc6");
	pb_jw_str(w, "version", p->glibc_version);
	pb_jw_obj_end(w);
	for (size_t i = 0; i < PB_NR_PEERS; i++) {
		char label[64];

		if (!p->peer[i].found)
			continue;
		snprintf(label, sizeof(label), "malloc:%s", p->peer[i].lib->name);
		pb_jw_obj_begin(w, NULL);
		pb_jw_str(w, "label", label);
		pb_jw_str(w, "allocator", p->peer[i].lib->name);
		pb_jw_str(w, "library", p->peer[i].path);
		pb_jw_str(w, "package", p->peer[i].lib->package);
		pb_jw_str(w, "version", p->peer[i].version);
		pb_jw_obj_end(w);
	}
	pb_jw_arr_end(w);
	pb_jw_arr_begin(w, "peers_not_run");
	for (size_t i = 0; i < PB_NR_PEERS; i++) {
		char why[256];

		if (p->peer[i].found)
			continue;
		snprintf(why, sizeof(why), "%s: %s",
			 o->peers_given ? "not in --peers" : "not installed",
			 peer_libs[i].package);
		pb_jw_obj_begin(w, NULL);
		pb_jw_str(w, "allocator", peer_libs[i].name);
		pb_jw_str(w, "reason", why);
		pb_jw_obj_end(w);
	}
	pb_jw_arr_end(w);
}
