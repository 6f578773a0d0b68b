# limen::kube_client — the HTTP implementation of the Client interface (client.h) on
# cpprestsdk: Config (kubeconfig, in-cluster), HttpClient (requests, retries, client-side
# rate limit, watch streams), Discovery. Only src/http_client.cc includes cpprestsdk, so the
# other sources (and every user of the headers) compile without it.
limen_library(NAME kube_client
  SOURCES src/config.cc src/kubeconfig.cc src/request.cc src/retry.cc
          src/client_rate_limiter.cc src/watch_decoder.cc src/http_client.cc src/list_all.cc
          src/list_reader.cc src/proto_schema.cc src/proto_list_reader.cc src/discovery.cc
  DEPS limen::kube_core limen_cpprest yaml-cpp spdlog::spdlog)

# Unit tests: no cluster. http_client_test drives HttpClient against a raw local HTTP server
# (test/raw_http_server.h) for protocol edge cases.
limen_test(NAME kube_client
  SOURCES test/config_test.cc test/base64_test.cc test/request_test.cc test/retry_test.cc
          test/client_rate_limiter_test.cc test/watch_decoder_test.cc test/field_filter_test.cc
          test/discovery_test.cc
          test/list_all_test.cc test/list_reader_test.cc test/proto_list_reader_test.cc
          test/raw_http_server.cc test/http_client_test.cc
  DEPS limen::kube_client)

# Integration: HttpClient, loaded from the fixture's kubeconfig, against the real apiserver.
limen_test(NAME kube_client_integration
  SOURCES test/http_client_integration_test.cc
  DEPS limen::kube_client limen::testing
  LABELS integration FIXTURES cluster ENV ${LIMEN_CLUSTER_ENV} TIMEOUT 600)
limen_test(NAME kube_trust_store_integration
  SOURCES test/trust_store_integration_test.cc
  DEPS limen::kube_client limen::testing
  LABELS integration FIXTURES cluster ENV ${LIMEN_CLUSTER_ENV} TIMEOUT 120)

# Fuzz targets of the parsers of untrusted input (watch bodies, kubeconfig files, the
# filtering JSON reader of list and watch bodies, protobuf list bodies); each seed corpus
# replays in ctest.
foreach(name watch_decoder kubeconfig filtered_parse list_reader proto_list_reader)
  limen_fuzzer(NAME kube_${name} SOURCES fuzz/${name}_fuzzer.cc DEPS limen::kube_client
               CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${name})
endforeach()
