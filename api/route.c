/*
 * api/route.c: the table of the management API's paths (OSv's, plus
 * /metrics) and the error bodies. Layer: api/. A path is matched whole,
 * or by prefix where the rest is an argument (/env/{var}, /file/{path},
 * /fs/df/{mount}, /network/ifconfig/{intf}); the handler checks the
 * method (405 otherwise).
 */
#include <skiff/errno.h>
#include <skiff/lib.h>
#include "api.h"

struct route {
	const char *path;
	bool prefix;		/* path is a prefix; the rest an argument */
	api_handler fn;
};

static const struct route routes[] = {
	{ "/os/name", false, os_name },
	{ "/os/version", false, os_version },
	{ "/os/vendor", false, os_vendor },
	{ "/os/uptime", false, os_uptime },
	{ "/os/date", false, os_date },
	{ "/os/memory/total", false, os_memory_total },
	{ "/os/memory/free", false, os_memory_free },
	{ "/os/dmesg", false, os_dmesg },
	{ "/os/hostname", false, os_hostname },
	{ "/os/threads", false, os_threads },
	{ "/os/cmdline", false, os_cmdline },
	{ "/os/shutdown", false, os_shutdown },
	{ "/os/poweroff", false, os_poweroff },
	{ "/os/reboot", false, os_reboot },
	{ "/env", false, env_all },
	{ "/env/", false, env_all },
	{ "/env/", true, env_var },
	{ "/file/", false, file_call },
	{ "/file/", true, file_call },
	{ "/fs/df", false, fs_df },
	{ "/fs/df/", true, fs_df },
	{ "/network/ifconfig", false, net_ifconfig },
	{ "/network/ifconfig/", true, net_ifconfig },
	{ "/network/route", false, net_route },
	{ "/hardware/processor/count", false, hw_processor_count },
	{ "/hardware/processor/flags", false, hw_processor_flags },
	{ "/hardware/hypervisor", false, hw_hypervisor },
	{ "/hardware/firmware/vendor", false, hw_firmware_vendor },
	{ "/metrics", false, metrics_call },
};

void api_error(struct api_call *c, int status, const char *msg)
{
	out_free(&c->out);
	c->status = status;
	c->ctype = NULL;
	out_str(&c->out, "{\"message\": ");
	out_json_str(&c->out, msg);
	out_printf(&c->out, ", \"code\": %d}\n", status);
}

void api_errno(struct api_call *c, int err)
{
	switch (err) {
	case -ENOENT:
	case -ENOTDIR:
	case -ENODEV:
		api_error(c, 404, "no such file or directory");
		break;
	case -EEXIST:
	case -ENOTEMPTY:
	case -EISDIR:
	case -EBUSY:
		api_error(c, 409, "the path is in the way, or in use");
		break;
	case -EINVAL:
	case -ENAMETOOLONG:
		api_error(c, 400, "invalid argument");
		break;
	case -EROFS:
	case -EACCES:
	case -EPERM:
		api_error(c, 403, "read-only or not allowed");
		break;
	case -ENOMEM:
	case -ENOSPC:
		api_error(c, 503, "out of memory or space");
		break;
	default:
		api_error(c, 500, "input/output error");
	}
}

bool api_method(struct api_call *c, const char *m)
{
	if (!strcmp(c->method, m))
		return true;
	api_error(c, 405, "method not allowed on this path");
	return false;
}

void api_route(struct api_call *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		const struct route *r = &routes[i];
		size_t n = strlen(r->path);

		if (r->prefix ? !strncmp(c->path, r->path, n) && c->path[n]
			      : !strcmp(c->path, r->path)) {
			r->fn(c);
			return;
		}
	}
	api_error(c, 404, "no such path");
}
