/* listen_after MS PORT: sleeps MS milliseconds after exec, then listen()s on 127.0.0.1:PORT
 * (0 = any) and waits for stdin to close. The startup probe must measure exec → listen. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long ms = argc > 1 ? atol(argv[1]) : 5;
  int port = argc > 2 ? atoi(argv[2]) : 0;
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  char buf[16];
  int fd;

  clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
  fd = socket(AF_INET, SOCK_STREAM, 0);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr*)&addr, sizeof(addr)) || listen(fd, 1)) {
    perror("listen_after");
    return 1;
  }
  printf("listening\n");
  fflush(stdout);
  while (read(0, buf, sizeof(buf)) > 0) {
  }
  return 0;
}
