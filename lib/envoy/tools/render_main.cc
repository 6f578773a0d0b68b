// limen-envoy-render: renders a ResiliencePolicy offline, as limen-operator would.
//
//   limen-envoy-render [--app-port N]... [--out FILE] [--configmap] CASE.yaml [FILTERS.yaml...]
//
// CASE.yaml holds the ResiliencePolicy (and possibly WasmFilters); more files may add
// WasmFilters. Prints the bootstrap (or, with --configmap, the ConfigMap) as indented JSON;
// on a policy that cannot be rendered prints the reason and exits 1; usage errors exit 2.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "cases.h"

int main(int argc, char** argv) {
  std::vector<std::string> files;
  std::vector<int> ports;
  std::string out;
  bool configmap = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--app-port" && i + 1 < argc) {
      ports.push_back(std::atoi(argv[++i]));
    } else if (arg == "--out" && i + 1 < argc) {
      out = argv[++i];
    } else if (arg == "--configmap") {
      configmap = true;
    } else if (!arg.empty() && arg[0] != '-') {
      files.push_back(arg);
    } else {
      files.clear();
      break;
    }
  }
  if (files.empty()) {
    std::cerr << "usage: limen-envoy-render [--app-port N]... [--out FILE] [--configmap] CASE.yaml "
                 "[FILTERS.yaml...]\n";
    return 2;
  }
  auto c = limen::envoy::cases::LoadCase(files);
  if (!c.ok()) {
    std::cerr << c.status().ToString() << "\n";
    return 2;
  }
  if (!ports.empty()) c->app_ports = ports;
  auto result =
      limen::envoy::Render(c->policy, c->filters, c->app_ports, limen::envoy::RenderConfig{});
  if (!result.ok()) {
    std::cerr << "cannot render: " << result.status().ToString() << "\n";
    return 1;
  }
  limen::envoy::Json doc = result->bootstrap;
  if (configmap) {
    auto cm = limen::envoy::RenderConfigMap(c->policy, *result);
    if (!cm.ok()) {
      std::cerr << "cannot render ConfigMap: " << cm.status().ToString() << "\n";
      return 1;
    }
    doc = *cm;
  }
  const std::string text =
      doc.dump(2, ' ', false, limen::envoy::Json::error_handler_t::replace) + "\n";
  if (out.empty()) {
    std::cout << text;
  } else {
    std::ofstream f(out);
    f << text;
    if (!f) {
      std::cerr << "cannot write " << out << "\n";
      return 2;
    }
  }
  return 0;
}
