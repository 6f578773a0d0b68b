// A protobuf writer for tests and fuzz seeds: builds the bytes of Kubernetes messages field
// by field, so that decoder tests state their input in the schema's terms.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace limen::kube::testing {

class ProtoWriter {
 public:
  ProtoWriter& Varint(uint32_t field, uint64_t v) {
    Key(field, 0);
    Raw(v);
    return *this;
  }
  ProtoWriter& Bytes(uint32_t field, std::string_view b) {
    Key(field, 2);
    Raw(b.size());
    out_.append(b);
    return *this;
  }
  ProtoWriter& Message(uint32_t field, const ProtoWriter& m) { return Bytes(field, m.str()); }
  // A map<string, string> entry.
  ProtoWriter& Entry(uint32_t field, std::string_view key, std::string_view value) {
    return Message(field, ProtoWriter().Bytes(1, key).Bytes(2, value));
  }
  const std::string& str() const { return out_; }

 private:
  void Key(uint32_t field, uint32_t type) { Raw((uint64_t{field} << 3) | type); }
  void Raw(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  std::string out_;
};

// The body of a List response: "k8s\0" + runtime.Unknown {typeMeta, raw = the List}.
inline std::string ProtoListBody(const std::vector<ProtoWriter>& items,
                                 std::string_view resource_version = "42",
                                 std::string_view kind = "PodList") {
  ProtoWriter list;
  list.Message(1, ProtoWriter().Bytes(2, resource_version));
  for (const auto& item : items) list.Message(2, item);
  ProtoWriter unknown;
  unknown.Message(1, ProtoWriter().Bytes(1, "v1").Bytes(2, kind)).Message(2, list);
  unknown.Bytes(3, "").Bytes(4, "application/vnd.kubernetes.protobuf");
  return std::string("k8s\0", 4) + unknown.str();
}

}  // namespace limen::kube::testing
