# limen::kube — the controller runtime on top of the Client interface (client.h): Watcher,
# Store, Informer, WorkQueue + rate limiters, Controller + metrics, LeaderElector,
# EventRecorder. It never includes cpprestsdk: unit tests drive it with test/fake_client.h,
# integration tests with limen::kube_client's HttpClient against the real apiserver.
limen_library(NAME kube
  SOURCES src/watcher.cc src/store.cc src/compact_codec.cc src/informer.cc
          src/rate_limiter.cc src/workqueue.cc src/metrics.cc src/controller.cc
          src/leader_election.cc src/event_recorder.cc
  DEPS limen::kube_core prometheus-cpp::core spdlog::spdlog)

limen_test(NAME kube_runtime
  SOURCES test/fake_client.cc test/time_format_test.cc test/watcher_test.cc
          test/watch_list_test.cc test/store_test.cc
          test/informer_test.cc test/rate_limiter_test.cc test/workqueue_test.cc
          test/controller_test.cc test/leader_election_test.cc test/event_recorder_test.cc
  DEPS limen::kube)

# Integration tests on the real local apiserver; they need limen::kube_client's HttpClient.
if(TARGET limen::kube_client)
  limen_binary(NAME lease_contender SOURCES test/lease_contender.cc
    DEPS limen::kube limen::kube_client)
  limen_test(NAME kube_runtime_integration
    SOURCES test/informer_integration_test.cc test/leader_election_integration_test.cc
    DEPS limen::kube limen::kube_client limen::testing
    LABELS integration FIXTURES cluster TIMEOUT 900
    ENV ${LIMEN_CLUSTER_ENV} LIMEN_LEASE_CONTENDER=$<TARGET_FILE:lease_contender>
        LIMEN_SOURCE_DIR=${PROJECT_SOURCE_DIR})
  add_dependencies(test_kube_runtime_integration lease_contender)
  # It kills and restarts the fixture's kube-apiserver: nothing else may run meanwhile (the
  # webhook rotation test, for one, counts every failed Pod creation).
  set_tests_properties(kube_runtime_integration PROPERTIES RUN_SERIAL TRUE)
endif()
