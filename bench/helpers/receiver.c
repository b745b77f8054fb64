/*
 * Signal receiver for the forwarding-latency bench.
 *
 * Usage: receiver FIFO
 *
 * Blocks SIGUSR1, opens FIFO for writing and writes one zero stamp to say it
 * is ready. Then, for every SIGUSR1 taken with sigwaitinfo(), it writes the
 * CLOCK_MONOTONIC time of receipt (nanoseconds, native uint64) to FIFO.
 * The bench sends the next signal only after reading the previous stamp, so
 * signals never coalesce. Any other signal has its default action.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int put_stamp(int fd, uint64_t stamp) {
    ssize_t n;
    do {
        n = write(fd, &stamp, sizeof stamp);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof stamp ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: receiver FIFO\n");
        return 2;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) {
        fprintf(stderr, "receiver: sigprocmask: %s\n", strerror(errno));
        return 1;
    }
    int fd = open(argv[1], O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "receiver: cannot open '%s': %s\n", argv[1], strerror(errno));
        return 1;
    }
    if (put_stamp(fd, 0) != 0) {
        return 1;
    }
    for (;;) {
        siginfo_t info;
        if (sigwaitinfo(&set, &info) < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "receiver: sigwaitinfo: %s\n", strerror(errno));
            return 1;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (put_stamp(fd, (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec) != 0) {
            return 1;
        }
    }
}
