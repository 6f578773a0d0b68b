/* ops MODE N [THREADS]: a workload doing N operations of one kind, timed inside the
 * process (clock_gettime around the loop only, so start-up is not measured). Prints
 * "elapsed_ns <ns> ops <n>". The benchmark runs it with and without a probe attached.
 *   send      N one-byte send()s over a loopback TCP connection (tcp.send)
 *   conn      N connect/accept/close cycles on loopback (tcp.state: ~6 transitions each)
 *   exec      N fork + exec of this program with "noop" + wait (process.exec/exit)
 *   flood     send from THREADS threads for N milliseconds (ring-buffer throughput)
 *   noop      exits at once (the exec target) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int listener(struct sockaddr_in* addr) {
  socklen_t len = sizeof(*addr);
  int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(fd, (struct sockaddr*)addr, sizeof(*addr)) || listen(fd, 128) ||
      getsockname(fd, (struct sockaddr*)addr, &len)) {
    perror("listener");
    exit(1);
  }
  return fd;
}

struct pair {
  int client, server;
};

static struct pair connected(void) {
  struct sockaddr_in addr;
  int l = listener(&addr), one = 1;
  struct pair p;
  p.client = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(p.client, (struct sockaddr*)&addr, sizeof(addr))) {
    perror("connect");
    exit(1);
  }
  p.server = accept(l, NULL, NULL);
  setsockopt(p.client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  close(l);
  return p;
}

static void* drain(void* arg) {
  char buf[65536];
  int fd = *(int*)arg;
  while (read(fd, buf, sizeof(buf)) > 0) {
  }
  return NULL;
}

static atomic_long flood_ops;
static atomic_int flood_stop;

static void* flood(void* arg) {
  (void)arg;
  struct pair p = connected();
  pthread_t t;
  long n = 0;
  char c = 'x';
  pthread_create(&t, NULL, drain, &p.server);
  while (!atomic_load_explicit(&flood_stop, memory_order_relaxed)) {
    if (send(p.client, &c, 1, 0) == 1) ++n;
  }
  shutdown(p.client, SHUT_WR);
  pthread_join(t, NULL);
  close(p.client);
  close(p.server);
  atomic_fetch_add(&flood_ops, n);
  return NULL;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "noop";
  long n = argc > 2 ? atol(argv[2]) : 0;
  long long t0, t1;
  if (!strcmp(mode, "noop")) return 0;
  if (!strcmp(mode, "send")) {
    struct pair p = connected();
    pthread_t t;
    char c = 'x';
    pthread_create(&t, NULL, drain, &p.server);
    t0 = now_ns();
    for (long i = 0; i < n; ++i) {
      if (send(p.client, &c, 1, 0) != 1) {
        perror("send");
        return 1;
      }
    }
    t1 = now_ns();
    shutdown(p.client, SHUT_WR);
    pthread_join(t, NULL);
  } else if (!strcmp(mode, "conn")) {
    struct sockaddr_in addr;
    int l = listener(&addr);
    t0 = now_ns();
    for (long i = 0; i < n; ++i) {
      int c = socket(AF_INET, SOCK_STREAM, 0);
      struct linger lg = {1, 0}; /* RST on close: no TIME_WAIT pile-up */
      if (connect(c, (struct sockaddr*)&addr, sizeof(addr))) {
        perror("connect");
        return 1;
      }
      int s = accept(l, NULL, NULL);
      setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
      close(c);
      close(s);
    }
    t1 = now_ns();
  } else if (!strcmp(mode, "exec")) {
    t0 = now_ns();
    for (long i = 0; i < n; ++i) {
      pid_t pid = fork();
      if (pid == 0) {
        execl("/proc/self/exe", "ops", "noop", (char*)NULL);
        _exit(127);
      }
      waitpid(pid, NULL, 0);
    }
    t1 = now_ns();
  } else if (!strcmp(mode, "flood")) {
    int threads = argc > 3 ? atoi(argv[3]) : 1;
    pthread_t t[64];
    if (threads < 1 || threads > 64) threads = 1;
    t0 = now_ns();
    for (int i = 0; i < threads; ++i) pthread_create(&t[i], NULL, flood, NULL);
    usleep((useconds_t)(n * 1000));
    atomic_store(&flood_stop, 1);
    for (int i = 0; i < threads; ++i) pthread_join(t[i], NULL);
    t1 = now_ns();
    n = atomic_load(&flood_ops);
  } else {
    fprintf(stderr, "ops: unknown mode %s\n", mode);
    return 2;
  }
  printf("elapsed_ns %lld ops %ld\n", t1 - t0, n);
  return 0;
}
