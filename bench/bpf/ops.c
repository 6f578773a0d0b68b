/* ops MODE N [...]: a workload doing N operations of one kind, timed inside the process
 * around the loop only (start-up is not measured). Prints
 * "elapsed_ns <wall ns> cpu_ns <ns> ops <n>", where cpu_ns is the user + system time of the
 * process and its waited-for children during the loop (getrusage): on a shared, loaded
 * machine it leaves out the time the workload sat runnable while others ran. The benchmark
 * runs each mode with and without a probe attached.
 *   send        N one-byte send()s over a loopback TCP connection, TCP_NODELAY (tcp.send)
 *   conn        N connect/accept/close cycles on loopback (tcp.state: ~6 transitions each)
 *   exec        N fork + exec of this program with "noop" + wait (process.exec/exit)
 *   retransmit  N connections in a network namespace of its own whose lo is taken down
 *               after one write each, then 1.5 s of retransmission timers (tcp.retransmit;
 *               needs root)
 *   flood MS THREADS [RATE]
 *               ring-buffer throughput: one-byte messages on corked loopback TCP
 *               connections (TCP_CORK: a send appends to the queue, so a send is cheap and
 *               the ring buffer, not the TCP stack, is what is measured), 64 per
 *               sendmmsg(), from THREADS threads for MS milliseconds, paced to RATE
 *               sends/s in total (0 or absent: as fast as possible); ops = sends done
 *   noop        exits at once (the exec target) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long cpu_ns(void) {
  struct rusage self, kids;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &kids);
  return (self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
          kids.ru_stime.tv_sec) *
             1000000000LL +
         (self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
          kids.ru_stime.tv_usec) *
             1000LL;
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
static long flood_rate_per_thread; /* 0 = unpaced */

#define FLOOD_BATCH 64

static void* flood(void* arg) {
  (void)arg;
  struct pair p = connected();
  pthread_t t;
  long n = 0, zero = 0, one = 1;
  char c = 'x';
  struct iovec iov = {&c, 1};
  struct mmsghdr msgs[FLOOD_BATCH];
  long long start = now_ns();
  setsockopt(p.client, IPPROTO_TCP, TCP_NODELAY, &zero, sizeof(int));
  setsockopt(p.client, IPPROTO_TCP, TCP_CORK, &one, sizeof(int));
  memset(msgs, 0, sizeof(msgs));
  for (int i = 0; i < FLOOD_BATCH; ++i) {
    msgs[i].msg_hdr.msg_iov = &iov;
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  pthread_create(&t, NULL, drain, &p.server);
  while (!atomic_load_explicit(&flood_stop, memory_order_relaxed)) {
    if (flood_rate_per_thread > 0) {
      /* Pacing: never ahead of rate × elapsed; sleep off any lead in 50 µs steps. */
      long long due = start + n * 1000000000LL / flood_rate_per_thread;
      long long ahead = due - now_ns();
      if (ahead > 0) {
        struct timespec ts = {0, ahead > 50000 ? 50000 : ahead};
        nanosleep(&ts, NULL);
        continue;
      }
    }
    int sent = sendmmsg(p.client, msgs, FLOOD_BATCH, 0);
    if (sent > 0) n += sent;
  }
  shutdown(p.client, SHUT_WR);
  pthread_join(t, NULL);
  close(p.client);
  close(p.server);
  atomic_fetch_add(&flood_ops, n);
  return NULL;
}

static int set_lo(int up) {
  struct ifreq ifr;
  int fd = socket(AF_INET, SOCK_DGRAM, 0), rc;
  memset(&ifr, 0, sizeof(ifr));
  strcpy(ifr.ifr_name, "lo");
  rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
  if (!rc) {
    if (up)
      ifr.ifr_flags |= IFF_UP;
    else
      ifr.ifr_flags &= ~IFF_UP;
    rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
  }
  close(fd);
  return rc;
}

/* n connections in a private network namespace; lo goes down after the handshakes, one
 * write each, then the retransmission timers fire (RTO 200 ms, 400 ms, 800 ms: 3 each in
 * 1.5 s). */
static int retransmit(long n) {
  struct sockaddr_in addr;
  char buf[512] = {0};
  int* fds = calloc((size_t)n * 2, sizeof(int));
  if (unshare(CLONE_NEWNET) || set_lo(1)) {
    perror("netns");
    return 1;
  }
  int l = listener(&addr);
  for (long i = 0; i < n; ++i) {
    fds[2 * i] = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fds[2 * i], (struct sockaddr*)&addr, sizeof(addr))) {
      perror("connect");
      return 1;
    }
    fds[2 * i + 1] = accept(l, NULL, NULL);
  }
  if (set_lo(0)) {
    perror("lo down");
    return 1;
  }
  for (long i = 0; i < n; ++i) {
    if (write(fds[2 * i], buf, sizeof(buf)) <= 0) {
      perror("write");
      return 1;
    }
  }
  usleep(1500000);
  return 0;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "noop";
  long n = argc > 2 ? atol(argv[2]) : 0;
  long long t0, t1, c0, c1;
  if (!strcmp(mode, "noop")) return 0;
  if (!strcmp(mode, "send")) {
    struct pair p = connected();
    pthread_t t;
    char c = 'x';
    pthread_create(&t, NULL, drain, &p.server);
    c0 = cpu_ns();
    t0 = now_ns();
    for (long i = 0; i < n; ++i) {
      if (send(p.client, &c, 1, 0) != 1) {
        perror("send");
        return 1;
      }
    }
    t1 = now_ns();
    c1 = cpu_ns();
    shutdown(p.client, SHUT_WR);
    pthread_join(t, NULL);
  } else if (!strcmp(mode, "conn")) {
    struct sockaddr_in addr;
    int l = listener(&addr);
    c0 = cpu_ns();
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
    c1 = cpu_ns();
  } else if (!strcmp(mode, "exec")) {
    c0 = cpu_ns();
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
    c1 = cpu_ns();
  } else if (!strcmp(mode, "retransmit")) {
    c0 = cpu_ns();
    t0 = now_ns();
    if (retransmit(n)) return 1;
    t1 = now_ns();
    c1 = cpu_ns();
  } else if (!strcmp(mode, "flood")) {
    int threads = argc > 3 ? atoi(argv[3]) : 1;
    long rate = argc > 4 ? atol(argv[4]) : 0;
    pthread_t t[64];
    if (threads < 1 || threads > 64) threads = 1;
    flood_rate_per_thread = rate > 0 ? (rate + threads - 1) / threads : 0;
    c0 = cpu_ns();
    t0 = now_ns();
    for (int i = 0; i < threads; ++i) pthread_create(&t[i], NULL, flood, NULL);
    usleep((useconds_t)(n * 1000));
    atomic_store(&flood_stop, 1);
    for (int i = 0; i < threads; ++i) pthread_join(t[i], NULL);
    t1 = now_ns();
    c1 = cpu_ns();
    n = atomic_load(&flood_ops);
  } else {
    fprintf(stderr, "ops: unknown mode %s\n", mode);
    return 2;
  }
  printf("elapsed_ns %lld cpu_ns %lld ops %ld\n", t1 - t0, c1 - c0, n);
  return 0;
}
