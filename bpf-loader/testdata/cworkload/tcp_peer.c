/* tcp_peer server PORT | client HOST PORT BYTES CHUNK | retransmit
 * server: accepts one connection and reads until EOF, prints the byte count.
 * client: connects, writes BYTES in CHUNK-sized write()s, prints the byte count.
 * retransmit: in a network namespace of its own (root), connects over lo, takes lo down and
 * writes, so the kernel must retransmit (no netem or netfilter needed); prints "done". */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int server(int port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  int one = 1, s = socket(AF_INET, SOCK_STREAM, 0), c;
  long total = 0;
  ssize_t n;
  char buf[65536];

  a.sin_addr.s_addr = htonl(INADDR_ANY);
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  socklen_t len = sizeof(a);
  if (bind(s, (struct sockaddr*)&a, sizeof(a)) || listen(s, 1)) return perror("server"), 1;
  /* Port 0: the kernel picks a free one, announced here (a fixed port can be taken). */
  if (getsockname(s, (struct sockaddr*)&a, &len)) return perror("getsockname"), 1;
  printf("listening %d\n", ntohs(a.sin_port));
  fflush(stdout);
  c = accept(s, NULL, NULL);
  while ((n = read(c, buf, sizeof(buf))) > 0) total += n;
  printf("received=%ld\n", total);
  return 0;
}

static int client(const char* host, int port, long bytes, long chunk) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  int s = socket(AF_INET, SOCK_STREAM, 0);
  long sent = 0;
  char* buf = calloc(1, chunk);

  inet_pton(AF_INET, host, &a.sin_addr);
  if (connect(s, (struct sockaddr*)&a, sizeof(a))) return perror("client"), 1;
  while (sent < bytes) {
    long want = bytes - sent < chunk ? bytes - sent : chunk;
    ssize_t n = write(s, buf, want);
    if (n <= 0) return perror("write"), 1;
    sent += n;
  }
  shutdown(s, SHUT_WR);
  while (read(s, buf, chunk) > 0) {
  }
  printf("sent=%ld\n", sent);
  return 0;
}

static int set_lo(int up) {
  struct ifreq ifr = {0};
  int fd = socket(AF_INET, SOCK_DGRAM, 0), rc;

  strcpy(ifr.ifr_name, "lo");
  if (ioctl(fd, SIOCGIFFLAGS, &ifr)) return -1;
  ifr.ifr_flags = up ? (ifr.ifr_flags | IFF_UP) : (ifr.ifr_flags & ~IFF_UP);
  rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
  close(fd);
  return rc;
}

static int retransmit(void) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(4242)};
  int s, c, peer;
  char buf[4096] = {0};

  if (unshare(CLONE_NEWNET) || set_lo(1)) return perror("netns"), 1;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  s = socket(AF_INET, SOCK_STREAM, 0);
  c = socket(AF_INET, SOCK_STREAM, 0);
  if (bind(s, (struct sockaddr*)&a, sizeof(a)) || listen(s, 1) ||
      connect(c, (struct sockaddr*)&a, sizeof(a)))
    return perror("connect"), 1;
  peer = accept(s, NULL, NULL);
  if (peer < 0 || set_lo(0)) return perror("lo down"), 1;
  if (write(c, buf, sizeof(buf)) <= 0) return perror("write"), 1;
  sleep(2); /* RTO 200 ms, then 400 ms, 800 ms: a few retransmissions */
  printf("done\n");
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 2 && !strcmp(argv[1], "retransmit")) return retransmit();
  if (argc == 3 && !strcmp(argv[1], "server")) return server(atoi(argv[2]));
  if (argc == 6 && !strcmp(argv[1], "client"))
    return client(argv[2], atoi(argv[3]), atol(argv[4]), atol(argv[5]));
  fprintf(stderr, "usage: tcp_peer server PORT | client HOST PORT BYTES CHUNK\n");
  return 2;
}
