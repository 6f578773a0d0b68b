// Test support: YAML files → JSON, resolving plain scalars as sigs.k8s.io/yaml (the YAML
// library of kubectl and the apiserver) does — null, booleans (incl. yes/no/on/off),
// integers, floats, else strings; quoted scalars are always strings. And the apiserver's
// structural defaulting, to compare lib/api's defaults with a CRD's.
#pragma once

#include <string>
#include <vector>

#include "limen/api/codec.h"

namespace limen::api::testing {

// Every document of a YAML file, as JSON. Fails the test (ADD_FAILURE) on a parse error.
std::vector<Json> LoadYamlFile(const std::string& path);

// The directory holding the CRDs (crds/ of the source tree).
std::string CrdDir();

// The YAML files of a directory, sorted by name.
std::vector<std::string> YamlFilesIn(const std::string& dir);

// The openAPIV3Schema of a CRD document's first version.
const Json& CrdSchema(const Json& crd);

// k8s.io/apiextensions-apiserver structuraldefaulting.Default: for each property with a
// `default` that is absent (or null) in `value`, set it; then recurse into present
// properties, array items and additionalProperties.
void ApplySchemaDefaults(Json& value, const Json& schema);

// An object in which every object-typed property of the schema is present ({}) and every
// array of objects holds one such object, so that every `default:` in the schema applies.
Json Skeleton(const Json& schema);

// Decodes `object` as the lib/api type of its `kind`, optionally applies SetDefaults, and
// encodes it again. Error for an unknown kind or a decode error.
StatusOr<Json> RoundTrip(const Json& object, bool apply_defaults);

// Paths of every property with a `default:` ("spec.readiness.startupMillis", …).
std::vector<std::string> DefaultedPaths(const Json& schema, const std::string& prefix = "");

}  // namespace limen::api::testing
