#include "proto_list_reader.h"

#include <memory>
#include <utility>

#include "proto_wire.h"

namespace limen::kube::internal {
namespace {

using proto::kMagic;
using proto::ProtoReader;
using proto::Tag;
using proto::WireType;

enum class Parse { kOk, kMore, kInvalid };

// The length of the varint at the start of `b`, if all of it is there.
Parse VarintLength(std::string_view b, size_t& n) {
  for (n = 0; n < b.size() && n < 10; ++n) {
    if ((static_cast<uint8_t>(b[n]) & 0x80U) == 0) {
      ++n;
      return Parse::kOk;
    }
  }
  return n == 10 ? Parse::kInvalid : Parse::kMore;
}

// A field's tag and, for a length-delimited one, its length: `header` bytes in all.
Parse FieldHeader(std::string_view b, Tag& tag, uint64_t& length, size_t& header) {
  size_t n = 0;
  if (const Parse p = VarintLength(b, n); p != Parse::kOk) return p;
  ProtoReader tags(b.substr(0, n));
  const auto t = tags.NextTag();
  if (!t) return Parse::kInvalid;
  tag = *t;
  header = n;
  length = 0;
  switch (tag.type) {
    case WireType::kFixed64: length = 8; return Parse::kOk;
    case WireType::kFixed32: length = 4; return Parse::kOk;
    case WireType::kVarint: {
      size_t m = 0;
      const Parse p = VarintLength(b.substr(n), m);
      length = m;
      return p;
    }
    case WireType::kLen: {
      size_t m = 0;
      if (const Parse p = VarintLength(b.substr(n), m); p != Parse::kOk) return p;
      ProtoReader lengths(b.substr(n, m));
      length = *lengths.Varint();
      header = n + m;
      return Parse::kOk;
    }
  }
  return Parse::kInvalid;
}

// ListMeta as the JSON list's metadata, minus shardInfo (which no caller reads and the schema
// does not decode).
const FieldFilter* ListMetaFilter() {
  static const auto filter = FieldMask::AllExcept({{"shardInfo"}});
  return filter.get();
}

}  // namespace

void ProtoListReader::Fail(Status s) {
  if (error_.ok()) error_ = std::move(s);
  phase_ = Phase::kDone;
}

void ProtoListReader::Append(std::string_view bytes) {
  bytes_read_ += bytes.size();
  if (!error_.ok()) return;
  buf_.append(bytes);
  while (Step()) {
  }
  // Drop what was decoded, without moving the tail on every item.
  if (pos_ > 0 && (pos_ == buf_.size() || pos_ >= size_t{64} * 1024)) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
}

bool ProtoListReader::Step() {
  switch (phase_) {
    case Phase::kMagic:
      if (buf_.size() - pos_ < kMagic.size()) return false;
      if (std::string_view(buf_).substr(pos_, kMagic.size()) != kMagic) {
        Fail(Status::InvalidArgument("not a protobuf object: no k8s magic"));
        return false;
      }
      pos_ += kMagic.size();
      phase_ = Phase::kEnvelope;
      return true;
    case Phase::kEnvelope: return EnvelopeField();
    case Phase::kList: return ListField();
    case Phase::kDone: return false;
  }
  return false;
}

bool ProtoListReader::NextField(Tag& tag, std::string_view& value) {
  const std::string_view rest = std::string_view(buf_).substr(pos_);
  uint64_t length = 0;
  size_t header = 0;
  switch (FieldHeader(rest, tag, length, header)) {
    case Parse::kMore: return false;
    case Parse::kInvalid:
      Fail(Status::InvalidArgument("protobuf list: an invalid field"));
      return false;
    case Parse::kOk: break;
  }
  if (phase_ == Phase::kList && header + length > list_left_) {
    Fail(Status::InvalidArgument("protobuf list: a field runs past the end of the list"));
    return false;
  }
  if (length > rest.size() - header) return false;
  value = rest.substr(header, length);
  pos_ += header + length;
  if (phase_ == Phase::kList) list_left_ -= header + length;
  return true;
}

bool ProtoListReader::EnvelopeField() {
  const std::string_view rest = std::string_view(buf_).substr(pos_);
  Tag tag;
  uint64_t length = 0;
  size_t header = 0;
  // raw (2): entered as soon as its header is in; its items are decoded one by one.
  if (const Parse p = FieldHeader(rest, tag, length, header);
      p == Parse::kOk && tag.field == proto::kUnknownRaw && tag.type == WireType::kLen) {
    pos_ += header;
    list_left_ = length;
    phase_ = Phase::kList;
    return true;
  }
  std::string_view value;
  if (!NextField(tag, value)) return false;
  if (tag.field == proto::kUnknownTypeMeta && tag.type == WireType::kLen) {
    std::vector<std::string_view> path;
    if (Status s = proto::DecodeMessage(value, proto::TypeMetaSchema(), nullptr, path, type_meta_);
        !s.ok()) {
      Fail(std::move(s));
      return false;
    }
  } else if (tag.field == proto::kUnknownContentEncoding && tag.type == WireType::kLen &&
             !value.empty()) {
    Fail(Status::Unimplemented("protobuf list: content encoding \"" + std::string(value) + "\""));
    return false;
  }
  return true;
}

bool ProtoListReader::ListField() {
  if (list_left_ == 0) {
    phase_ = Phase::kEnvelope;
    return true;
  }
  Tag tag;
  std::string_view value;
  if (!NextField(tag, value)) return false;
  if (tag.type != WireType::kLen || (tag.field != 1 && tag.field != 2)) return true;
  Status s;
  if (tag.field == 1) {
    s = proto::DecodeMessage(value, proto::ListMetaSchema(), ListMetaFilter(), path_, list_meta_);
  } else {
    Object item = Object::object();
    s = proto::DecodeMessage(value, item_schema_, filter_, path_, item);
    if (s.ok()) items_.push_back(std::move(item));
  }
  if (!s.ok()) {
    Fail(std::move(s));
    return false;
  }
  return true;
}

StatusOr<Object> ProtoListReader::Finish() {
  if (!error_.ok()) return error_;
  if (phase_ == Phase::kList && list_left_ == 0) phase_ = Phase::kEnvelope;
  if (phase_ != Phase::kEnvelope || pos_ != buf_.size()) {
    return Status::InvalidArgument("protobuf list: the body ends inside " +
                                   std::string(phase_ == Phase::kMagic ? "the magic" : "a field"));
  }
  Object list = Object::object();
  for (const char* key : {"apiVersion", "kind"}) {
    if (auto it = type_meta_.find(key); it != type_meta_.end()) list[key] = *it;
  }
  list["metadata"] = std::move(list_meta_);
  list["items"] = std::move(items_);
  return list;
}

}  // namespace limen::kube::internal
