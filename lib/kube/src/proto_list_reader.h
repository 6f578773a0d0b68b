// ProtoListReader: decodes a List the apiserver sent in protobuf
// (application/vnd.kubernetes.protobuf) while its body is still arriving, item by item — the
// protobuf counterpart of ListReader.
//
// The body is the magic "k8s\0" and a runtime.Unknown {typeMeta = 1, raw = 2,
// contentEncoding = 3, contentType = 4} whose raw is the List message {metadata = 1
// (ListMeta), items = 2 (repeated)}. The reader walks that structure as bytes arrive, holds
// only the item it is in (a protobuf item carries its length, so it is decoded once its last
// byte is in) and decodes each with the item schema under the field filter
// (proto_schema.h). Finish gives the Object ListReader would have given for the JSON form
// of the same list: {apiVersion, kind, metadata, items}, items without apiVersion and kind.
// A private header of lib/kube.
//
// Thread-safety: none; one reader per response.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "limen/base/status.h"
#include "limen/kube/field_filter.h"
#include "proto_schema.h"
#include "proto_wire.h"

namespace limen::kube::internal {

class ProtoListReader {
 public:
  ProtoListReader(const proto::Message& item_schema, const FieldFilter* filter)
      : item_schema_(item_schema), filter_(filter) {}

  // The next bytes of the body; decodes the items they complete. After an error, ignored.
  void Append(std::string_view bytes);

  // The body has ended: the list, or why it could not be decoded (InvalidArgument: not a
  // protobuf List, or truncated; Unimplemented: a field the schema cannot decode).
  StatusOr<Object> Finish();

  size_t bytes_read() const { return bytes_read_; }
  // Bytes held now (the unparsed tail: at most one item, plus what arrived after it).
  size_t bytes_held() const { return buf_.size() - pos_; }

 private:
  enum class Phase { kMagic, kEnvelope, kList, kDone };

  // Decodes what buf_ completes; false when it needs more bytes (or failed).
  bool Step();
  bool EnvelopeField();
  bool ListField();
  // The next tag and the length of its value, if all of it is buffered (a varint's length
  // is its own). On a field that needs more bytes, nothing is consumed.
  bool NextField(proto::Tag& tag, std::string_view& value);
  void Fail(Status s);

  const proto::Message& item_schema_;
  const FieldFilter* filter_;
  Phase phase_ = Phase::kMagic;
  std::string buf_;
  size_t pos_ = 0;        // next byte of buf_ to decode
  size_t list_left_ = 0;  // bytes of the raw List still to decode (kList)
  size_t bytes_read_ = 0;
  Status error_;
  Object type_meta_ = Object::object();
  Object list_meta_ = Object::object();
  Object items_ = Object::array();
  std::vector<std::string_view> path_;
};

}  // namespace limen::kube::internal
