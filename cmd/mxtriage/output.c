/*
 * output.c - where every subcommand's output goes, and how a run ends.
 *
 * One place for what can go wrong on the way out:
 *  - an output that is also an input is refused before anything is
 *    opened (the run would truncate the log it reads);
 *  - -o FILE is written to a temporary file beside FILE (mkstemp) and
 *    renamed over it only when the whole run succeeded, so a failed or
 *    interrupted run leaves FILE as it was, never half a report;
 *  - a write error (full disk, /dev/full, a closed descriptor) is named
 *    with the output and ends with MXT_EXIT_WRITE; a closed pipe (EPIPE,
 *    as in `| head`) ends quietly, as SIGPIPE would;
 *  - SIGINT and SIGTERM only set cli_stop; the pass polls it between
 *    lines, so what was formatted is whole and is flushed normally, and
 *    the run exits 128 + the signal. A second signal ends the program at
 *    once (SA_RESETHAND), for a read that blocks on an idle pipe.
 */
#include "cli.h"
#include "inputs.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

volatile sig_atomic_t cli_stop;

static void
on_signal(int sig)
{
	cli_stop = sig;
}

void
cli_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* SA_RESTART: a read interrupted by the first signal goes on and
	 * the pass stops at the next line, instead of zlib reporting EINTR
	 * as a broken input. */
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int
cli_stopped_status(void)
{
	int sig = cli_stop;
	if (sig != SIGINT && sig != SIGTERM)
		return 0;
	return MXT_EXIT_SIGNAL + sig;
}

const char *
cli_stop_name(void)
{
	return cli_stop == SIGINT ? "SIGINT" : cli_stop == SIGTERM ?
	    "SIGTERM" : "a write error";
}

/* Dies of SIGPIPE, as a program that did not ignore it would have. */
static void
die_of_sigpipe(void)
{
	signal(SIGPIPE, SIG_DFL);
	raise(SIGPIPE);
	_exit(MXT_EXIT_SIGNAL + SIGPIPE);
}

static bool
same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* dir/base with dir resolved by realpath(3), or a copy of path when the
 * directory does not exist. Returns a malloc'd string. */
static char *
canonical_path(const char *path)
{
	char *d = strdup(path), *b = strdup(path);
	char *out = NULL, real[PATH_MAX];
	if (d == NULL || b == NULL)
		err(MXT_EXIT_USAGE, "strdup");
	if (realpath(dirname(d), real) != NULL &&
	    asprintf(&out, "%s/%s", real, basename(b)) < 0)
		err(MXT_EXIT_USAGE, "asprintf");
	free(d);
	free(b);
	return out ? out : strdup(path);
}

/* True when path names a file that directory input dir stands for: in
 * that directory, with a mail log's name (mxt_log_name, the rule the
 * directory's expansion uses), whether it exists yet or not. */
static bool
in_input_directory(const char *dir, const char *path)
{
	char *d = strdup(path), *b = strdup(path);
	char rd[PATH_MAX], rp[PATH_MAX];
	unsigned rot;
	const char *comp;
	if (d == NULL || b == NULL)
		err(MXT_EXIT_USAGE, "strdup");
	bool in = realpath(dir, rd) != NULL && realpath(dirname(d), rp) !=
	    NULL && strcmp(rd, rp) == 0 &&
	    mxt_log_name(basename(b), &rot, &comp) != MXT_NAME_OTHER;
	free(d);
	free(b);
	return in;
}

static bool
same_path(const char *a, const char *b)
{
	char *ca = canonical_path(a), *cb = canonical_path(b);
	bool same = ca && cb && strcmp(ca, cb) == 0;
	free(ca);
	free(cb);
	return same;
}

int
cli_output_check(const char *option, const char *path, char *const *inputs,
    int ninputs)
{
	static char *const stdin_only[] = {"-"};
	struct stat out, in;

	if (path == NULL || strcmp(path, "-") == 0)
		return 0;
	bool exists = stat(path, &out) == 0;
	/* Devices and pipes (-o /dev/null, /dev/stdout) are not truncated
	 * by writing to them; only a file can lose its contents. */
	if (exists && !S_ISREG(out.st_mode))
		return 0;
	if (ninputs == 0) {
		inputs = stdin_only;
		ninputs = 1;
	}
	for (int i = 0; i < ninputs; i++) {
		bool same;
		if (strcmp(inputs[i], "-") == 0)
			same = exists && fstat(STDIN_FILENO, &in) == 0 &&
			    same_inode(&in, &out);
		else if (stat(inputs[i], &in) == 0 && S_ISDIR(in.st_mode)) {
			if (in_input_directory(inputs[i], path)) {
				warnx("%s %s: a mail log's name in the input "
				    "directory %s; refusing to write where a "
				    "log is read", option, path, inputs[i]);
				return -1;
			}
			same = false;
		} else if (exists)
			same = stat(inputs[i], &in) == 0 && same_inode(&in, &out);
		else
			same = same_path(inputs[i], path);
		if (same) {
			warnx("%s %s: is also an input (%s); refusing to "
			    "overwrite a log that is being read", option, path,
			    strcmp(inputs[i], "-") == 0 ? "standard input" :
			    inputs[i]);
			return -1;
		}
	}
	return 0;
}

/* Creates the temporary file beside target with the mode the target has,
 * or the mode a new file would get (0666 less the umask). */
static FILE *
open_temporary(struct cli_output *o)
{
	char *d = strdup(o->target), *b = strdup(o->target);
	if (d == NULL || b == NULL ||
	    asprintf(&o->tmp, "%s/.%s.XXXXXX", dirname(d), basename(b)) < 0)
		err(MXT_EXIT_USAGE, "allocating a file name");
	free(d);
	free(b);
	int fd = mkstemp(o->tmp);
	if (fd < 0)
		return NULL;
	struct stat st;
	mode_t mode;
	if (stat(o->target, &st) == 0) {
		mode = st.st_mode & 07777;
	} else {
		mode_t mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	FILE *fp = NULL;
	if (fchmod(fd, mode) != 0 || (fp = fdopen(fd, "w")) == NULL) {
		int e = errno;
		close(fd);
		unlink(o->tmp);
		errno = e;
	}
	return fp;
}

int
cli_output_open(struct cli_output *o, const char *path, FILE *std)
{
	struct stat st;
	memset(o, 0, sizeof *o);
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fp = std;
		o->name = std == stderr ? "standard error" : "standard output";
		return 0;
	}
	o->name = path;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a device or a pipe: written in place */
		if ((o->fp = fopen(path, "w")) == NULL)
			goto fail;
		return 0;
	}
	/* Rename over the file a symbolic link points to, not the link. */
	char real[PATH_MAX];
	o->target = strdup(realpath(path, real) ? real : path);
	if (o->target == NULL)
		err(MXT_EXIT_USAGE, "strdup");
	if ((o->fp = open_temporary(o)) == NULL)
		goto fail;
	return 0;
fail:
	warn("cannot write %s", path);
	free(o->tmp);
	free(o->target);
	o->tmp = o->target = NULL;
	return -1;
}

void
cli_output_failed(struct cli_output *o)
{
	if (o->error == 0)
		o->error = errno ? errno : EIO;
}

int
cli_output_close(struct cli_output *o, bool keep)
{
	if (o->fp == NULL)
		return MXT_EXIT_OK;
	errno = 0;
	if (fflush(o->fp) != 0 || ferror(o->fp))
		cli_output_failed(o);
	if (o->tmp != NULL && o->error == 0 && keep && fsync(fileno(o->fp)) != 0)
		cli_output_failed(o);
	if (o->fp != stdout && o->fp != stderr && fclose(o->fp) != 0)
		cli_output_failed(o);
	o->fp = NULL;

	int status = MXT_EXIT_OK;
	if (o->error == EPIPE) {
		if (o->tmp != NULL)
			unlink(o->tmp);
		die_of_sigpipe();
	} else if (o->error != 0) {
		warnx("write error on %s: %s", o->name, strerror(o->error));
		status = MXT_EXIT_WRITE;
	}
	if (o->tmp != NULL) {
		if (status != MXT_EXIT_OK || !keep) {
			unlink(o->tmp);
		} else if (rename(o->tmp, o->target) != 0) {
			warn("write error on %s: renaming %s", o->name, o->tmp);
			unlink(o->tmp);
			status = MXT_EXIT_WRITE;
		}
	}
	free(o->tmp);
	free(o->target);
	o->tmp = o->target = NULL;
	return status;
}

/* errno of the first failed cli_print: stdio keeps only the error flag,
 * and a later errno says nothing about it. */
static int stdout_error;

void
cli_print(const char *text)
{
	if (fputs(text, stdout) == EOF && stdout_error == 0)
		stdout_error = errno;
}

int
cli_stdout_done(void)
{
	struct cli_output o = {.fp = stdout, .name = "standard output",
	    .error = stdout_error};
	return cli_output_close(&o, true);
}
