// The dashboard's static files (assets/ and summary.schema.json), embedded in the binary at
// build time by embed.cmake: the page works offline, through `kubectl port-forward`, and
// from a read-only root filesystem, and always matches the binary that serves its data.
//
// Thread-safety: immutable after static initialisation.
#pragma once

#include <string_view>
#include <vector>

namespace limen::op::dashboard {

struct EmbeddedFile {
  std::string_view name;  // file name, e.g. "app.js"
  std::string_view data;
};

// Every embedded file, in the order CMake listed them. Never empty.
const std::vector<EmbeddedFile>& EmbeddedFiles();

}  // namespace limen::op::dashboard
