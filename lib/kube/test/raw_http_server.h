// RawHttpServer: a tiny HTTP/1.1 server on 127.0.0.1 for protocol edge cases that a real
// apiserver will not produce on demand — 429 then 200, a watch line split in two writes,
// a connection closed mid-stream. Handlers write raw bytes, so a test controls exactly
// what goes on the wire. Test-only; one thread per connection.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace limen::kube::testing {

struct RawRequest {
  std::string method;
  std::string target;                          // path and query, as sent
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string Header(const std::string& lower_name) const;
};

class RawConnection {
 public:
  explicit RawConnection(int fd, const std::atomic<bool>& stopping)
      : fd_(fd), stopping_(stopping) {}
  // Writes all of `bytes`; false once the peer has gone.
  bool Write(std::string_view bytes);
  // Closes the connection after the handler returns (no keep-alive).
  void CloseAfter() { close_ = true; }
  bool close_requested() const { return close_; }
  // True when the server is shutting down: a long-running handler should return.
  bool stopping() const { return stopping_.load(); }
  // True when the client has closed its side (e.g. after WatchStream::Cancel()).
  bool PeerClosed() const;

 private:
  int fd_;
  const std::atomic<bool>& stopping_;
  bool close_ = false;
};

class RawHttpServer {
 public:
  using Handler = std::function<void(const RawRequest&, RawConnection&)>;
  explicit RawHttpServer(Handler handler);
  ~RawHttpServer();

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_.load(); }
  std::vector<RawRequest> received() const;

  // A complete response with Content-Length.
  static std::string Response(int code, std::string_view body,
                              const std::string& extra_headers = "",
                              std::string_view content_type = "application/json");
  // Headers of a chunked response; follow with Chunk()s and LastChunk().
  static std::string ChunkedHeaders(int code);
  static std::string Chunk(std::string_view data);
  static std::string LastChunk() { return "0\r\n\r\n"; }

 private:
  void AcceptLoop();
  void Serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  mutable std::mutex mu_;
  std::vector<std::thread> threads_;  // guarded by mu_
  std::vector<int> fds_;              // guarded by mu_
  std::vector<RawRequest> received_;  // guarded by mu_
  std::thread acceptor_;
};

}  // namespace limen::kube::testing
