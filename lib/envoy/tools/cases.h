// Render cases: a YAML file with one ResiliencePolicy and any number of WasmFilters (the
// corpus format of lib/envoy/testdata and the input of limen-envoy-render), decoded into the
// renderer's inputs. Scalars resolve as sigs.k8s.io/yaml does (quoted → string; null, bools,
// integers, floats; else string). App ports come from the policy's annotation
// `limen.dev/test-app-ports` ("8080,9090"; absent → 8080; "" → none), a test-only convention.
// An annotation `limen.dev/test-expect-error` holds the error a rejected case must report.
//
// Thread-safety: pure functions plus file reads.
#pragma once

#include <string>
#include <vector>

#include "limen/envoy/render.h"

namespace limen::envoy::cases {

struct Case {
  std::string name;  // file name without .yaml
  api::ResiliencePolicy policy;
  std::vector<api::WasmFilter> filters;
  std::vector<int> app_ports;
  std::string expect_error;  // limen.dev/test-expect-error
};

// Every document of a YAML file as JSON; error on a parse error.
StatusOr<std::vector<Json>> LoadYaml(const std::string& path);

// Loads files[0] (and WasmFilters from the others) into a Case.
StatusOr<Case> LoadCase(const std::vector<std::string>& files);

// The *.yaml files of a directory, sorted.
std::vector<std::string> YamlFilesIn(const std::string& dir);

}  // namespace limen::envoy::cases
