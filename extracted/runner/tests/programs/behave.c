#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    char cmd[64] = {0};
    if (!fgets(cmd, sizeof cmd, stdin)) return 3;
    cmd[strcspn(cmd, "\n")] = 0;
    if (!strcmp(cmd, "hello")) {
        puts("Hello, World!");
    } else if (!strcmp(cmd, "echo")) {
        int c;
        while ((c = getchar()) != EOF) putchar(c);
    } else if (!strcmp(cmd, "crash")) {
        volatile int *p = NULL;
        *p = 1;
    } else if (!strcmp(cmd, "wrong")) {
        puts("42");
    } else if (!strcmp(cmd, "spin")) {
        volatile unsigned long x = 0;
        for (;;) x++;
    } else if (!strcmp(cmd, "sleep")) {
        for (;;) sleep(1000);
    } else if (!strcmp(cmd, "alloc")) {
        for (;;) {
            char *p = malloc(1 << 20);
            if (!p) { fputs("out of memory\n", stderr); abort(); }
            memset(p, 1, 1 << 20);
        }
    }
    return 0;
}
