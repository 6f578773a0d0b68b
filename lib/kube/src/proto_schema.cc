#include "proto_schema.h"

#include <chrono>
#include <string>

#include "filtered_reader.h"
#include "limen/base/utf8.h"
#include "limen/kube/time_format.h"
#include "proto_wire.h"

namespace limen::kube::internal::proto {
namespace {

constexpr auto kString = Kind::kString;
constexpr auto kInt = Kind::kInt;
constexpr auto kBool = Kind::kBool;
constexpr auto kTime = Kind::kTime;
constexpr auto kMap = Kind::kStringMap;
constexpr auto kMessage = Kind::kMessage;
constexpr auto kOpaque = Kind::kOpaque;
constexpr auto kOmitEmpty = Presence::kOmitEmpty;
constexpr auto kAlways = Presence::kAlways;
constexpr auto kIfPresent = Presence::kIfPresent;
constexpr bool kRepeated = true;

// --- k8s.io/apimachinery/pkg/apis/meta/v1, pkg/runtime (generated.proto, v0.37) ------------

constexpr Field kTypeMetaFields[] = {{1, "apiVersion", kString}, {2, "kind", kString}};
constexpr Message kTypeMeta{"TypeMeta", kTypeMetaFields};

constexpr Field kListMetaFields[] = {{1, "selfLink", kString},
                                     {2, "resourceVersion", kString},
                                     {3, "continue", kString},
                                     {4, "remainingItemCount", kInt, kIfPresent},
                                     {5, "shardInfo", kOpaque}};
constexpr Message kListMeta{"ListMeta", kListMetaFields};

constexpr Field kOwnerReferenceFields[] = {
    {5, "apiVersion", kString, kAlways},  {1, "kind", kString, kAlways},
    {3, "name", kString, kAlways},        {4, "uid", kString, kAlways},
    {6, "controller", kBool, kIfPresent}, {7, "blockOwnerDeletion", kBool, kIfPresent}};
constexpr Message kOwnerReference{"OwnerReference", kOwnerReferenceFields};

constexpr Field kObjectMetaFields[] = {
    {1, "name", kString},
    {2, "generateName", kString},
    {3, "namespace", kString},
    {4, "selfLink", kString},
    {5, "uid", kString},
    {6, "resourceVersion", kString},
    {7, "generation", kInt},
    {8, "creationTimestamp", kTime},  // `omitempty,omitzero`
    {9, "deletionTimestamp", kTime, kIfPresent},
    {10, "deletionGracePeriodSeconds", kInt, kIfPresent},
    {11, "labels", kMap},
    {12, "annotations", kMap},
    {13, "ownerReferences", kMessage, kOmitEmpty, kRepeated, &kOwnerReference},
    {14, "finalizers", kString, kOmitEmpty, kRepeated},
    {17, "managedFields", kOpaque}};
constexpr Message kObjectMeta{"ObjectMeta", kObjectMetaFields};

constexpr Field kStatusCauseFields[] = {
    {1, "reason", kString}, {2, "message", kString}, {3, "field", kString}};
constexpr Message kStatusCause{"StatusCause", kStatusCauseFields};

constexpr Field kStatusDetailsFields[] = {
    {1, "name", kString},
    {2, "group", kString},
    {3, "kind", kString},
    {6, "uid", kString},
    {4, "causes", kMessage, kOmitEmpty, kRepeated, &kStatusCause},
    {5, "retryAfterSeconds", kInt}};
constexpr Message kStatusDetails{"StatusDetails", kStatusDetailsFields};

constexpr Field kStatusFields[] = {{1, "metadata", kMessage, kAlways, false, &kListMeta},
                                   {2, "status", kString},
                                   {3, "message", kString},
                                   {4, "reason", kString},
                                   {5, "details", kMessage, kIfPresent, false, &kStatusDetails},
                                   {6, "code", kInt}};
constexpr Message kStatus{"Status", kStatusFields};

// --- k8s.io/api/core/v1 (generated.proto, v0.37) ---------------------------------------------
// Every field is named; the scalar ones a cache commonly keeps are decodable.

constexpr Field kPodSpecFields[] = {{1, "volumes", kOpaque},
                                    {20, "initContainers", kOpaque},
                                    {2, "containers", kOpaque},
                                    {34, "ephemeralContainers", kOpaque},
                                    {3, "restartPolicy", kString},
                                    {4, "terminationGracePeriodSeconds", kInt, kIfPresent},
                                    {5, "activeDeadlineSeconds", kInt, kIfPresent},
                                    {6, "dnsPolicy", kString},
                                    {7, "nodeSelector", kMap},
                                    {8, "serviceAccountName", kString},
                                    {9, "serviceAccount", kString},
                                    {21, "automountServiceAccountToken", kOpaque},
                                    {10, "nodeName", kString},
                                    {11, "hostNetwork", kBool},
                                    {12, "hostPID", kOpaque},
                                    {13, "hostIPC", kOpaque},
                                    {27, "shareProcessNamespace", kOpaque},
                                    {14, "securityContext", kOpaque},
                                    {15, "imagePullSecrets", kOpaque},
                                    {16, "hostname", kString},
                                    {17, "subdomain", kString},
                                    {18, "affinity", kOpaque},
                                    {19, "schedulerName", kString},
                                    {22, "tolerations", kOpaque},
                                    {23, "hostAliases", kOpaque},
                                    {24, "priorityClassName", kString},
                                    {25, "priority", kInt, kIfPresent},
                                    {26, "dnsConfig", kOpaque},
                                    {28, "readinessGates", kOpaque},
                                    {29, "runtimeClassName", kOpaque},
                                    {30, "enableServiceLinks", kOpaque},
                                    {31, "preemptionPolicy", kOpaque},
                                    {32, "overhead", kOpaque},
                                    {33, "topologySpreadConstraints", kOpaque},
                                    {35, "setHostnameAsFQDN", kOpaque},
                                    {36, "os", kOpaque},
                                    {37, "hostUsers", kOpaque},
                                    {38, "schedulingGates", kOpaque},
                                    {39, "resourceClaims", kOpaque},
                                    {40, "resources", kOpaque},
                                    {41, "hostnameOverride", kOpaque},
                                    {43, "schedulingGroup", kOpaque},
                                    {44, "evictionResponders", kOpaque}};
constexpr Message kPodSpec{"PodSpec", kPodSpecFields};

constexpr Field kContainerStatusFields[] = {{1, "name", kString, kAlways},
                                            {2, "state", kOpaque},
                                            {3, "lastState", kOpaque},
                                            {4, "ready", kBool, kAlways},
                                            {5, "restartCount", kInt, kAlways},
                                            {6, "image", kString, kAlways},
                                            {7, "imageID", kString, kAlways},
                                            {8, "containerID", kString},
                                            {9, "started", kBool, kIfPresent},
                                            {10, "allocatedResources", kOpaque},
                                            {11, "resources", kOpaque},
                                            {12, "volumeMounts", kOpaque},
                                            {13, "user", kOpaque},
                                            {14, "allocatedResourcesStatus", kOpaque},
                                            {15, "stopSignal", kOpaque}};
constexpr Message kContainerStatus{"ContainerStatus", kContainerStatusFields};

constexpr Field kPodStatusFields[] = {
    {17, "observedGeneration", kInt},
    {1, "phase", kString},
    {2, "conditions", kOpaque},
    {3, "message", kString},
    {4, "reason", kString},
    {11, "nominatedNodeName", kString},
    {5, "hostIP", kString},
    {16, "hostIPs", kOpaque},
    {6, "podIP", kString},
    {12, "podIPs", kOpaque},
    {7, "startTime", kTime, kIfPresent},
    {10, "initContainerStatuses", kMessage, kOmitEmpty, kRepeated, &kContainerStatus},
    {8, "containerStatuses", kMessage, kOmitEmpty, kRepeated, &kContainerStatus},
    {9, "qosClass", kString},
    {13, "ephemeralContainerStatuses", kMessage, kOmitEmpty, kRepeated, &kContainerStatus},
    {14, "resize", kOpaque},
    {15, "resourceClaimStatuses", kOpaque},
    {18, "extendedResourceClaimStatus", kOpaque},
    {19, "allocatedResources", kOpaque},
    {20, "resources", kOpaque},
    {21, "nodeAllocatableResourceClaimStatuses", kOpaque},
    {22, "volumeHealth", kOpaque}};
constexpr Message kPodStatus{"PodStatus", kPodStatusFields};

constexpr Field kPodFields[] = {{1, "metadata", kMessage, kAlways, false, &kObjectMeta},
                                {2, "spec", kMessage, kAlways, false, &kPodSpec},
                                {3, "status", kMessage, kAlways, false, &kPodStatus}};
constexpr Message kPod{"Pod", kPodFields};

// --- decoding ---------------------------------------------------------------------------------

bool IsZero(const Object& v) {
  if (v.is_string()) return v.get_ref<const std::string&>().empty();
  if (v.is_boolean()) return !v.get<bool>();
  if (v.is_number_unsigned()) return v.get<uint64_t>() == 0;
  return false;
}

// The JSON reader parses non-negative integers as unsigned.
Object IntValue(uint64_t wire) {
  const auto v = static_cast<int64_t>(wire);
  return v >= 0 ? Object(static_cast<uint64_t>(v)) : Object(v);
}

Object ZeroOf(const Field& f) {
  switch (f.kind) {
    case Kind::kString: return "";
    case Kind::kInt: return uint64_t{0};
    case Kind::kBool: return false;
    default: return Object::object();
  }
}

class Decoder {
 public:
  Decoder(const FieldFilter* filter, std::vector<std::string_view>& path)
      : filter_(filter), path_(path) {}

  Status Decode(std::string_view bytes, const Message& m, Object& out) {
    if (!out.is_object()) out = Object::object();
    ProtoReader r(bytes);
    while (!r.done()) {
      const auto tag = r.NextTag();
      if (!tag) return Malformed(m, "an invalid or truncated tag");
      const Field* f = m.Find(tag->field);
      if (f == nullptr) {
        return Status::Unimplemented(std::string(m.name) + " has a field " +
                                     std::to_string(tag->field) + " this schema does not know");
      }
      if (!Kept(f->json_name)) {
        if (!r.Skip(tag->type)) return Malformed(m, "a truncated field");
        continue;
      }
      LIMEN_RETURN_IF_ERROR(Value(r, *tag, *f, m, out));
    }
    return Defaults(m, out);
  }

 private:
  bool Kept(std::string_view key) const { return internal::Kept(filter_, path_, key); }

  static Status Malformed(const Message& m, const std::string& what) {
    return Status::InvalidArgument("protobuf " + std::string(m.name) + ": " + what);
  }

  Status Value(ProtoReader& r, Tag tag, const Field& f, const Message& m, Object& out) {
    if (f.kind == Kind::kOpaque) {
      return Status::Unimplemented(std::string(m.name) + "." + std::string(f.json_name) +
                                   " is kept but not decodable from protobuf");
    }
    const bool varint = f.kind == Kind::kInt || f.kind == Kind::kBool;
    if (tag.type != (varint ? WireType::kVarint : WireType::kLen)) {
      return Malformed(m, std::string(f.json_name) + " has the wrong wire type");
    }
    const std::string key(f.json_name);
    if (varint) {
      const auto v = r.Varint();
      if (!v) return Malformed(m, key + " is truncated");
      Object value = f.kind == Kind::kBool ? Object(*v != 0) : IntValue(*v);
      return Set(f, std::move(value), out);
    }
    const auto bytes = r.Bytes();
    if (!bytes) return Malformed(m, key + " is truncated");
    switch (f.kind) {
      case Kind::kString:
        if (!IsValidUtf8(*bytes)) return Malformed(m, key + " is not UTF-8");
        return Set(f, std::string(*bytes), out);
      case Kind::kTime: return Time(*bytes, f, m, out);
      case Kind::kStringMap: return MapEntry(*bytes, f, m, out[key]);
      case Kind::kMessage: {
        Object sub = Object::object();
        path_.push_back(f.json_name);
        Status s = Decode(*bytes, *f.message, sub);
        path_.pop_back();
        LIMEN_RETURN_IF_ERROR(s);
        return Set(f, std::move(sub), out);
      }
      default: return Status::Internal("unreachable field kind");
    }
  }

  // Proto: the last occurrence of a singular field wins; a repeated one appends.
  static Status Set(const Field& f, Object value, Object& out) {
    const std::string key(f.json_name);
    if (f.repeated) {
      Object& list = out[key];
      if (!list.is_array()) list = Object::array();
      list.push_back(std::move(value));
    } else if (f.presence == Presence::kOmitEmpty && IsZero(value)) {
      out.erase(key);
    } else {
      out[key] = std::move(value);
    }
    return Status::Ok();
  }

  Status Time(std::string_view bytes, const Field& f, const Message& m, Object& out) {
    ProtoReader r(bytes);
    int64_t seconds = 0;
    bool zero = true;
    while (!r.done()) {
      const auto tag = r.NextTag();
      if (!tag) return Malformed(m, std::string(f.json_name) + " is not a Time");
      if (tag->type != WireType::kVarint) {
        if (!r.Skip(tag->type)) return Malformed(m, std::string(f.json_name) + " is truncated");
        continue;
      }
      const auto v = r.Varint();
      if (!v) return Malformed(m, std::string(f.json_name) + " is truncated");
      if (tag->field == 1) seconds = static_cast<int64_t>(*v);
      if (tag->field == 1 || tag->field == 2) zero = zero && *v == 0;
    }
    const std::string key(f.json_name);
    if (zero && f.presence == Presence::kOmitEmpty) {  // `omitzero`
      out.erase(key);
      return Status::Ok();
    }
    out[key] = FormatTime(Clock::WallTime{} + std::chrono::seconds(seconds));
    return Status::Ok();
  }

  // One entry {key = 1, value = 2} of a map<string, string>; the map's keys are filtered as
  // the members of a JSON object are. The map is there (maybe empty) once it has an entry.
  Status MapEntry(std::string_view bytes, const Field& f, const Message& m, Object& map) {
    if (!map.is_object()) map = Object::object();
    ProtoReader r(bytes);
    std::string_view key, value;
    while (!r.done()) {
      const auto tag = r.NextTag();
      if (!tag) return Malformed(m, std::string(f.json_name) + " has an invalid entry");
      if (tag->type != WireType::kLen || (tag->field != 1 && tag->field != 2)) {
        if (!r.Skip(tag->type)) return Malformed(m, std::string(f.json_name) + " is truncated");
        continue;
      }
      const auto b = r.Bytes();
      if (!b) return Malformed(m, std::string(f.json_name) + " is truncated");
      (tag->field == 1 ? key : value) = *b;
    }
    if (!IsValidUtf8(key) || !IsValidUtf8(value)) {
      return Malformed(m, std::string(f.json_name) + " is not UTF-8");
    }
    path_.push_back(f.json_name);
    const bool kept = Kept(key);
    path_.pop_back();
    if (kept) map[std::string(key)] = std::string(value);
    return Status::Ok();
  }

  // Fields Go's JSON encoding writes even when the message lacks them.
  Status Defaults(const Message& m, Object& out) {
    for (const Field& f : m.fields) {
      if (f.presence != Presence::kAlways || f.repeated || out.contains(f.json_name) ||
          !Kept(f.json_name)) {
        continue;
      }
      Object value = ZeroOf(f);
      if (f.kind == Kind::kMessage) {
        path_.push_back(f.json_name);
        Status s = Decode({}, *f.message, value);
        path_.pop_back();
        LIMEN_RETURN_IF_ERROR(s);
      }
      out[std::string(f.json_name)] = std::move(value);
    }
    return Status::Ok();
  }

  const FieldFilter* filter_;
  std::vector<std::string_view>& path_;
};

bool DecodableAt(const Message& m, const FieldFilter* filter, std::vector<std::string_view>& path) {
  for (const Field& f : m.fields) {
    if (!Kept(filter, path, f.json_name)) continue;
    if (f.kind == Kind::kOpaque) return false;
    if (f.kind != Kind::kMessage) continue;
    path.push_back(f.json_name);
    const bool ok = DecodableAt(*f.message, filter, path);
    path.pop_back();
    if (!ok) return false;
  }
  return true;
}

}  // namespace

const Message* ItemSchema(const Resource& r) {
  if (r.group.empty() && r.version == "v1" && r.resource == "pods") return &kPod;
  return nullptr;
}

StatusOr<Object> DecodeStatus(std::string_view body) {
  const auto raw = UnknownRaw(body);
  if (!raw) return Status::InvalidArgument("not a protobuf object");
  Object status = Object::object();
  std::vector<std::string_view> path;
  LIMEN_RETURN_IF_ERROR(DecodeMessage(*raw, kStatus, nullptr, path, status));
  status["kind"] = "Status";
  status["apiVersion"] = "v1";
  return status;
}

const Message& ListMetaSchema() { return kListMeta; }
const Message& TypeMetaSchema() { return kTypeMeta; }

bool Decodable(const Message& m, const FieldFilter* filter) {
  std::vector<std::string_view> path;
  return DecodableAt(m, filter, path);
}

Status DecodeMessage(std::string_view bytes, const Message& m, const FieldFilter* filter,
                     std::vector<std::string_view>& path, Object& out) {
  return Decoder(filter, path).Decode(bytes, m, out);
}

}  // namespace limen::kube::internal::proto
