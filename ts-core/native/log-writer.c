/*
 * wc-log-writer: keeps one container's output in a capped, rotated log file.
 *
 *   wc-log-writer <dir> <file name> <cap in bytes>     (stdin: the pipe the container writes)
 *
 * Why a C program. The core (ts-core/src/backends/linux/containerLog.ts) gives
 * runc, or QEMU for a utility VM's console, the write end of a pipe instead of
 * the log file, so that `yes` in a container cannot fill the disk; something
 * has to read the other end for as long as the container runs. That reader
 * used to be a detached `node -e <script>`, measured on a 2-core host: 39 MB
 * resident per container, 5.3 MB of it its own (the rest is node's binary,
 * shared) and 9.5 MB after 64 MB of short lines, 7 times this program's CPU
 * for the same output, ~4 ms to start and ~8 ms of CPU while node boots,
 * which slowed the `runc run` it raced (create 80 ms against 66 ms with no
 * writer; raw runc ~54 ms). This program does the same job in 0.7 MB
 * resident, 60 kB of it its own (under 1 MB after the same 64 MB), and
 * posix_spawn starts it in about 0.3 ms from the core (3-3.5 ms for node's
 * own spawn).
 * CRI-O and Podman do the same with conmon, a small C program per container
 * that reads its output and caps its log (containers/conmon, --log-size-max);
 * Docker's json-file driver caps and rotates at max-size / max-file
 * (https://docs.docker.com/engine/logging/drivers/json-file/).
 *
 * What it writes is byte for byte what the node writer (WRITER_SCRIPT in
 * containerLog.ts, still the fallback) writes; the tests run both:
 * - every line starts with the time its first byte was read, RFC 3339 UTC
 *   with milliseconds and a space, 25 bytes (`2026-12-02T07:36:00.123Z `);
 *   all lines of one read share that time;
 * - output goes to the file in writes of at most 64 KiB (prefixes included);
 * - before a write that would take a non-empty file past the cap, the file
 *   is renamed to `<file>.1` (replacing the older one) and started anew, so a
 *   rotation falls between lines unless one line alone passes 64 KiB: at most
 *   2 x (cap + 64 KiB) on disk;
 * - the file is opened O_WRONLY|O_APPEND|O_CREAT|O_NOFOLLOW|O_CLOEXEC, mode
 *   0600: a symbolic link planted as the log is refused, not followed;
 * - a failed write (disk full) drops that output and the writer keeps
 *   draining the pipe, so the container never blocks on its own output;
 * - a failed open or rotation ends the writer with status 1, as the node
 *   script's uncaught exception does;
 * - it exits 0 when the last writer of the pipe has closed it.
 * Unlike node, it also closes any descriptor beyond 0-2 it inherited.
 *
 * Bad arguments end it with status 2 and one line on stderr: the directory
 * must be absolute, the file name a plain name (no '/', not '.' or '..'),
 * the cap a whole number of bytes from 4096 to 2^53 - 1 (the core's own
 * bounds, WINDOWSCONTAINERS_LOG_MAX_BYTES).
 *
 * No stdio streams, no locale, no time zone (the UTC date is computed here), no
 * allocation: two static 64 KiB buffers. Built by build/native.mjs with
 * `cc -O2 -static`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h> /* rename(2) only: no stdio streams */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { CHUNK = 65536, STAMP_BYTES = 25 };
#define MIN_CAP 4096ULL
#define MAX_CAP 9007199254740991ULL /* Number.MAX_SAFE_INTEGER */

static char input[CHUNK];
static char output[CHUNK];
static size_t used;
static int line_start = 1;
static int fd = -1;
static unsigned long long size;
static unsigned long long cap;
static char file[PATH_MAX];
static char rotated[PATH_MAX];

static void say(const char *a, const char *b) {
    /* Best effort: stderr is usually /dev/null. */
    const char *parts[] = { "wc-log-writer: ", a, b, "\n" };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t len = strlen(parts[i]);
        while (len > 0) {
            ssize_t n = write(2, parts[i], len);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;
            parts[i] += n;
            len -= (size_t)n;
        }
    }
}

static _Noreturn void usage(const char *why) {
    say(why, "");
    say("usage: wc-log-writer <absolute dir> <file name> <cap bytes, 4096 or more>", "");
    exit(2);
}

static _Noreturn void fail(const char *what, const char *path) {
    say(what, path);
    exit(1);
}

static int open_log(void) {
    for (;;) {
        int f = open(file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (f >= 0 || errno != EINTR) return f;
    }
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil, inverted). */
static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d) {
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long year = (long long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = year + (*m <= 2);
}

static void digits(char *at, unsigned long long value, int count) {
    for (int i = count - 1; i >= 0; i--) {
        at[i] = (char)('0' + value % 10);
        value /= 10;
    }
}

/* `YYYY-MM-DDTHH:MM:SS.mmmZ ` for now, as JavaScript's Date#toISOString() plus a space. */
static void stamp_now(char stamp[STAMP_BYTES]) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long long seconds = (long long)now.tv_sec;
    long long days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
    long long of_day = seconds - days * 86400;
    long long year;
    unsigned month, day;
    civil_from_days(days, &year, &month, &day);
    if (year < 0) year = 0;
    if (year > 9999) year = 9999;
    digits(stamp, (unsigned long long)year, 4);
    stamp[4] = '-';
    digits(stamp + 5, month, 2);
    stamp[7] = '-';
    digits(stamp + 8, day, 2);
    stamp[10] = 'T';
    digits(stamp + 11, (unsigned long long)(of_day / 3600), 2);
    stamp[13] = ':';
    digits(stamp + 14, (unsigned long long)(of_day / 60 % 60), 2);
    stamp[16] = ':';
    digits(stamp + 17, (unsigned long long)(of_day % 60), 2);
    stamp[19] = '.';
    digits(stamp + 20, (unsigned long long)(now.tv_nsec / 1000000), 3);
    stamp[23] = 'Z';
    stamp[24] = ' ';
}

static void flush(void) {
    if (used == 0) return;
    if (size > 0 && size + used > cap) {
        close(fd);
        if (rename(file, rotated) != 0) fail("cannot rotate the log to ", rotated);
        fd = open_log();
        if (fd < 0) fail("cannot open the log ", file);
        size = 0;
    }
    size_t done = 0;
    while (done < used) {
        ssize_t n = write(fd, output + done, used - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break; /* disk full or another error: drop the rest, keep draining */
        done += (size_t)n;
    }
    size += done;
    used = 0;
}

static void put(const char *bytes, size_t length) {
    while (length > 0) {
        if (used == CHUNK) flush();
        size_t n = CHUNK - used < length ? CHUNK - used : length;
        memcpy(output + used, bytes, n);
        used += n;
        bytes += n;
        length -= n;
    }
}

static unsigned long long parse_cap(const char *text) {
    if (*text == '\0') usage("the cap is empty");
    unsigned long long value = 0;
    for (const char *c = text; *c; c++) {
        if (*c < '0' || *c > '9') usage("the cap must be a whole number of bytes");
        value = value * 10 + (unsigned long long)(*c - '0');
        if (value > MAX_CAP) usage("the cap is too large (at most 9007199254740991)");
    }
    if (value < MIN_CAP) usage("the cap must be at least 4096 bytes");
    return value;
}

int main(int argc, char **argv) {
    if (argc != 4) usage("expected three arguments");
    const char *dir = argv[1];
    const char *name = argv[2];
    cap = parse_cap(argv[3]);
    if (dir[0] != '/') usage("the directory must be an absolute path");
    if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        usage("the file name must be a plain name, without '/'");
    }
    size_t dir_length = strlen(dir);
    while (dir_length > 1 && dir[dir_length - 1] == '/') dir_length--;
    size_t name_length = strlen(name);
    if (name_length + 2 > NAME_MAX) usage("the file name is too long");
    /* <dir>/<name> and <dir>/<name>.1, with their NUL, must fit PATH_MAX. */
    if (dir_length + 1 + name_length + 3 > sizeof file) usage("the path is too long");
    memcpy(file, dir, dir_length);
    size_t length = dir_length;
    if (dir_length > 1) file[length++] = '/';
    memcpy(file + length, name, name_length);
    length += name_length;
    file[length] = '\0';
    memcpy(rotated, file, length);
    memcpy(rotated + length, ".1", 3);

    /* Hold no directory busy: the container's directory may be unmounted or removed around it. */
    if (chdir("/") != 0) { /* not fatal */ }
    /*
     * Keep nothing but stdin, stdout and stderr of what the core's own parent
     * let it inherit: this process lives as long as the container, and a pipe
     * end held here would keep someone else's reader from ever seeing EOF.
     * close_range(2) needs Linux 5.9 (and its number in the C library's
     * headers); elsewhere they stay open, as they would under node.
     */
#ifdef SYS_close_range
    syscall(SYS_close_range, 3U, ~0U, 0U);
#endif

    fd = open_log();
    if (fd < 0) fail("cannot open the log ", file);
    struct stat st;
    if (fstat(fd, &st) != 0) fail("cannot stat the log ", file);
    size = (unsigned long long)st.st_size;

    char stamp[STAMP_BYTES];
    for (;;) {
        ssize_t n = read(0, input, sizeof input);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                struct pollfd wait = { .fd = 0, .events = POLLIN };
                poll(&wait, 1, -1);
                continue;
            }
            break;
        }
        if (n == 0) break;
        stamp_now(stamp);
        size_t at = 0;
        while (at < (size_t)n) {
            const char *newline = memchr(input + at, '\n', (size_t)n - at);
            size_t end = newline ? (size_t)(newline - input) + 1 : (size_t)n;
            /* A rotation falls between lines (unless one line alone is longer than the buffer). */
            if (used > 0 && used + (line_start ? STAMP_BYTES : 0) + (end - at) > CHUNK) flush();
            if (line_start) {
                put(stamp, STAMP_BYTES);
                line_start = 0;
            }
            put(input + at, end - at);
            if (newline) line_start = 1;
            at = end;
        }
        flush();
    }
    flush();
    return 0;
}
