/* One probe per abuse, chosen by the first line of input; prints what the sandbox allowed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *what, int ok) {
    printf("%s %s\n", what, ok ? "ALLOWED" : "blocked");
}

static int can_connect(int port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    int ok = connect(s, (struct sockaddr *)&a, sizeof a) == 0;
    close(s);
    return ok;
}

/* Runs fn in a child; "blocked" unless it returned, and the signal that stopped it. */
static void in_child(const char *what, void (*fn)(void)) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    report(what, WIFEXITED(status));
    printf("%s signal %d\n", what, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

#ifdef __x86_64__
static void x32_getpid(void) { syscall(0x40000000 | SYS_getpid); }
static void i386_getpid(void) {
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
}
#endif

static int can_open(const char *path, int flags) {
    int fd = open(path, flags, 0644);
    if (fd < 0) return 0;
    close(fd);
    return 1;
}

int main(void) {
    char cmd[256] = {0};
    if (!fgets(cmd, sizeof cmd, stdin)) return 3;
    cmd[strcspn(cmd, "\n")] = 0;
    if (!strcmp(cmd, "network")) {
        report("tcp 5432", can_connect(5432));
        report("tcp 5672", can_connect(5672));
        report("tcp 6379", can_connect(6379));
        struct addrinfo *res = NULL;
        report("dns", getaddrinfo("example.com", "80", NULL, &res) == 0);
    } else if (!strcmp(cmd, "secrets")) {
        report("shadow", can_open("/etc/shadow", O_RDONLY));
        report("root home", can_open("/root/.bashrc", O_RDONLY));
        char path[512];
        if (fgets(path, sizeof path, stdin)) {
            path[strcspn(path, "\n")] = 0;
            report("settings", can_open(path, O_RDONLY));
        }
        extern char **environ;
        for (char **e = environ; *e; e++) puts(*e);
    } else if (!strcmp(cmd, "write")) {
        const char *paths[] = {"/usr/polycode-x", "/etc/polycode-x", "/polycode-x", "/bin/polycode-x",
                               "/proc/sysrq-trigger", "/proc/sys/kernel/hostname", "/dev/polycode-x"};
        for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
            report(paths[i], can_open(paths[i], O_WRONLY | O_CREAT));
        report("/tmp scratch", can_open("/tmp/polycode-scratch", O_WRONLY | O_CREAT));
    } else if (!strcmp(cmd, "links")) {
        report("symlink read", symlink("/etc/shadow", "s") == 0 && can_open("s", O_RDONLY));
        report("hardlink", link("/usr/bin/env", "h") == 0);
    } else if (!strcmp(cmd, "privileges")) {
        report("setuid 0", setuid(0) == 0);
        report("dev mem", can_open("/dev/mem", O_RDONLY));
        report("dev kmsg", can_open("/dev/kmsg", O_RDONLY));
        report("dev sda", can_open("/dev/sda", O_RDONLY));
        report("mknod", mknod("/tmp/disk", S_IFBLK | 0600, makedev(8, 0)) == 0);
        report("ptrace", ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0);
        report("mount", mount("none", "/tmp", "tmpfs", 0, NULL) == 0);
        report("unshare user", unshare(CLONE_NEWUSER) == 0);
        report("unshare net", unshare(CLONE_NEWNET) == 0);
        report("bpf", syscall(SYS_bpf, 0, NULL, 0) >= 0 || errno != EPERM);
        report("keyctl", syscall(SYS_keyctl, 0, 0, 0, 0, 0) >= 0 || errno != EPERM);
        report("perf", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0) >= 0 || errno != EPERM);
        report("io_uring", syscall(SYS_io_uring_setup, 1, NULL) >= 0 || errno != ENOSYS);
        report("uid", getuid() != 65534);
    } else if (!strcmp(cmd, "filter")) {
        long pid = syscall(SYS_clone, (long)(CLONE_NEWUSER | SIGCHLD), 0L, 0L, 0L, 0L);
        if (pid == 0) _exit(0);
        report("clone newuser", pid >= 0 || errno != EPERM);
        pid = syscall(SYS_clone, (long)(CLONE_NEWNS | SIGCHLD), 0L, 0L, 0L, 0L);
        if (pid == 0) _exit(0);
        report("clone newns", pid >= 0 || errno != EPERM);
        report("clone3", syscall(SYS_clone3, NULL, 0L) >= 0 || errno != ENOSYS);
        char c = 'x';
        report("tiocsti", syscall(SYS_ioctl, 0L, (long)TIOCSTI, &c) >= 0 || errno != EPERM);
        report("tiocsti high bits", syscall(SYS_ioctl, 0L, (long)TIOCSTI | (1L << 32), &c) >= 0 || errno != EPERM);
#ifdef __x86_64__
        in_child("x32 abi", x32_getpid);
        in_child("i386 abi", i386_getpid);
#endif
    } else if (!strcmp(cmd, "forkbomb")) {
        for (;;) fork();
    } else if (!strcmp(cmd, "daemon")) {
        char marker[128];
        if (!fgets(marker, sizeof marker, stdin)) return 4;
        marker[strcspn(marker, "\n")] = 0;
        if (fork() == 0) {
            setsid();
            if (fork() == 0) {
                execl("/bin/sleep", "sleep", marker, (char *)NULL);
                _exit(9);
            }
            _exit(0);
        }
        wait(NULL);
        puts("parent done");
    } else if (!strcmp(cmd, "killparent")) {
        kill(getppid(), SIGKILL);
        kill(1, SIGKILL);
        kill(-1, SIGKILL);
        puts("still here");
    } else if (!strcmp(cmd, "flood")) {
        for (;;) puts("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    } else if (!strcmp(cmd, "bigfile")) {
        FILE *f = fopen("/tmp/big", "w");
        for (int i = 0; i < 4096; i++) fwrite(cmd, 1, sizeof cmd, f);
        fclose(f);
        puts("wrote");
    }
    return 0;
}
