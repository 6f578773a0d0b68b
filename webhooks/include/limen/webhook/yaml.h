// YAML → JSON for the dry-run CLI and the config file, resolving plain scalars as
// sigs.k8s.io/yaml (kubectl's) does: null, booleans, integers, floats, else strings; quoted
// scalars are always strings. Errors (parse failures) come back as Status, never thrown.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "limen/base/status.h"

namespace limen::webhook {

// Every non-empty document of the text; a JSON document is valid YAML.
StatusOr<std::vector<nlohmann::json>> ParseYamlDocuments(const std::string& text);
// Same, from a file (errors name the file).
StatusOr<std::vector<nlohmann::json>> LoadYamlFile(const std::string& path);

}  // namespace limen::webhook
