/* What a wake-up from a sleep costs on this machine (docs/benchmarks.md, "Sixth pass").
 * Runs `n` rounds of the same fixed work, sleeping `sleep_us` between rounds, and prints the
 * process's CPU time. With no sleep it is the work alone; the difference is what waking costs.
 *   cc -O2 wake.c -o wake && ./wake 300 0 2 && ./wake 300 33000 2 && ./wake 300 3000 2
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

static char a[4 << 20], b[4 << 20];

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s ROUNDS SLEEP_US WORK_UNITS\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[1]), units = atoi(argv[3]);
    long sleep_us = atol(argv[2]);
    volatile unsigned long sum = 0;
    for (int i = 0; i < n; i++) {
        for (int r = 0; r < units; r++) {
            memcpy(a, b, sizeof a);
            for (int j = 0; j < (1 << 16); j++) sum += a[(j * 64) & (sizeof a - 1)] * j;
        }
        if (sleep_us) {
            struct timespec t = {sleep_us / 1000000, (sleep_us % 1000000) * 1000};
            nanosleep(&t, 0);
        }
    }
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    printf("%d rounds, %ld us sleeps: user %.3f s, sys %.3f s\n", n, sleep_us,
           u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6, u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6);
    return 0;
}
