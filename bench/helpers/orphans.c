/*
 * Orphan storm for the reaping bench. Runs as the init's main child.
 *
 * Usage: orphans N FIFO
 *
 * 1. A middle process forks N children and exits, so the N children are
 *    reparented to the init (PID 1 of the namespace). Each child says it is
 *    ready on the "ready" pipe, then blocks reading the "hold" pipe, whose
 *    only write end this process keeps.
 * 2. When every child is ready, this process notes the init's CPU time
 *    (/proc/1/stat utime+stime in clock ticks, /proc/1/schedstat run time in
 *    ns), closes the hold pipe's write end (all N children read EOF and exit
 *    at once) and polls /proc/1/task/1/children until it is the init's only
 *    child: a zombie stays on that list until the init reaps it.
 *    Each child stores the time it exits at (the latest one wins) in a shared
 *    page, so the report also tells how long the init took after the last exit.
 * 3. It writes one line to FIFO and exits:
 *    "ok N REAPED_NS LAST_EXIT_NS UTIME0 STIME0 UTIME1 STIME1 RUN0 RUN1"
 *    (times since the close in ns; the init's utime and stime in clock ticks
 *    and its schedstat run time in ns, before and after; -1 when unknown)
 *    or "error MESSAGE".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static FILE *report;
static long long *last_exit; /* shared with the children: the latest exit time */

static int fail(const char *fmt, ...) {
    va_list ap;
    fputs("error ", report);
    va_start(ap, fmt);
    vfprintf(report, fmt, ap);
    va_end(ap);
    fputc('\n', report);
    fflush(report);
    return 1;
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Reads a small /proc file into buf (NUL-terminated); returns its length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n >= 0) {
        buf[n] = '\0';
    }
    return n;
}

/* utime and stime of /proc/1/stat, in clock ticks (-1 if unreadable). */
static void init_ticks(long long *utime, long long *stime) {
    char buf[1024];
    *utime = *stime = -1;
    if (read_small("/proc/1/stat", buf, sizeof buf) < 0) {
        return;
    }
    char *p = strrchr(buf, ')');
    if (p == NULL) {
        return;
    }
    /* After ")": field 3 (state) ... field 14 utime, field 15 stime. */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld", utime, stime) !=
        2) {
        *utime = *stime = -1;
    }
}

/* First field of /proc/1/schedstat: time spent on the CPU, in ns (-1 if absent). */
static long long init_run_ns(void) {
    char buf[256];
    long long run = -1;
    if (read_small("/proc/1/schedstat", buf, sizeof buf) < 0 || sscanf(buf, "%lld", &run) != 1) {
        return -1;
    }
    return run;
}

/* 1 when this process is the init's only child, 0 when not, -1 on error. */
static int alone(int children_fd, pid_t self) {
    char buf[256];
    if (lseek(children_fd, 0, SEEK_SET) < 0) {
        return -1;
    }
    ssize_t n = read(children_fd, buf, sizeof buf - 1);
    if (n < 0) {
        return -1;
    }
    if ((size_t)n == sizeof buf - 1) {
        return 0; /* more children than fit in the buffer */
    }
    buf[n] = '\0';
    char *p = buf;
    for (;;) {
        char *end;
        long pid = strtol(p, &end, 10);
        if (end == p) {
            return 1;
        }
        if (pid != (long)self) {
            return 0;
        }
        p = end;
    }
}

static void child(int hold_rd, int ready_wr) {
    char c = 'r';
    if (write(ready_wr, &c, 1) != 1) {
        _exit(3);
    }
    close(ready_wr);
    while (read(hold_rd, &c, 1) < 0 && errno == EINTR) {
    }
    long long now = now_ns();
    long long seen = __atomic_load_n(last_exit, __ATOMIC_RELAXED);
    while (now > seen &&
           !__atomic_compare_exchange_n(last_exit, &seen, now, 1, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED)) {
    }
    _exit(0);
}

static void middle(long n, int hold_rd, int ready_wr) {
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            _exit(1);
        }
        if (pid == 0) {
            child(hold_rd, ready_wr);
        }
    }
    _exit(0);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: orphans N FIFO\n");
        return 2;
    }
    int report_fd = open(argv[2], O_WRONLY | O_CLOEXEC);
    if (report_fd < 0 || (report = fdopen(report_fd, "w")) == NULL) {
        fprintf(stderr, "orphans: cannot open '%s': %s\n", argv[2], strerror(errno));
        return 1;
    }
    long n = strtol(argv[1], NULL, 10);
    if (n <= 0) {
        return fail("bad count '%s'", argv[1]);
    }
    if (getpid() == 1) {
        return fail("must run under an init, not as PID 1");
    }
    int children_fd = open("/proc/1/task/1/children", O_RDONLY | O_CLOEXEC);
    if (children_fd < 0) {
        return fail("cannot open /proc/1/task/1/children: %s", strerror(errno));
    }
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    last_exit = mmap(NULL, sizeof *last_exit, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                     -1, 0);
    if (last_exit == MAP_FAILED) {
        return fail("mmap: %s", strerror(errno));
    }
    *last_exit = 0;

    int hold[2], ready[2];
    if (pipe2(hold, O_CLOEXEC) != 0 || pipe2(ready, O_CLOEXEC) != 0) {
        return fail("pipe: %s", strerror(errno));
    }
    pid_t mid = fork();
    if (mid < 0) {
        return fail("fork: %s", strerror(errno));
    }
    if (mid == 0) {
        close(hold[1]);
        close(ready[0]);
        fclose(report);
        middle(n, hold[0], ready[1]);
    }
    close(hold[0]);
    close(ready[1]);

    /* EOF on "ready" once every child has written and closed its end. */
    long seen = 0;
    char buf[4096];
    for (;;) {
        ssize_t got = read(ready[0], buf, sizeof buf);
        if (got > 0) {
            seen += got;
        } else if (got == 0) {
            break;
        } else if (errno != EINTR) {
            return fail("read ready pipe: %s", strerror(errno));
        }
    }
    int status;
    while (waitpid(mid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || seen != n) {
        close(hold[1]);
        return fail("only %ld of %ld children started", seen, n);
    }

    /* Let the init settle after the reparenting. */
    struct timespec settle = {0, 20 * 1000 * 1000};
    nanosleep(&settle, NULL);

    long long utime0, stime0, utime1, stime1;
    init_ticks(&utime0, &stime0);
    long long run0 = init_run_ns();
    long long t0 = now_ns();
    close(hold[1]);
    struct timespec pause = {0, 50 * 1000};
    int state;
    while ((state = alone(children_fd, getpid())) == 0) {
        nanosleep(&pause, NULL);
    }
    long long t1 = now_ns();
    if (state < 0) {
        return fail("read /proc/1/task/1/children: %s", strerror(errno));
    }
    init_ticks(&utime1, &stime1);
    long long run1 = init_run_ns();
    long long exited = __atomic_load_n(last_exit, __ATOMIC_RELAXED);
    fprintf(report, "ok %ld %lld %lld %lld %lld %lld %lld %lld %lld\n", n, t1 - t0,
            exited ? exited - t0 : -1, utime0, stime0, utime1, stime1, run0, run1);
    fflush(report);
    return 0;
}
