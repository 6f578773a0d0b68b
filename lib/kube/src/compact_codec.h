// The encoding of a compact Store (StoreOptions::compact): a binary form of an Object that is
// small to hold and quick to turn back into nlohmann's DOM.
//
// Why not nlohmann's own binary formats: to_msgpack is as small, but from_msgpack builds
// the DOM through its SAX parser (a std::map lookup per member, a std::string per key) and
// decodes a projected Pod ~3× slower than copying its DOM. This decoder builds each object
// with emplace_hint at the end (members are encoded in the DOM's sorted order), and object
// keys — the same few dozen in every object of a kind, "metadata", "ownerReferences",
// "app.kubernetes.io/name" — are interned in a KeyTable shared by the store's objects, so an
// object's bytes hold its values and a small number per key.
//
// Format: one tag byte per value, then
//   int (signed, zigzag) / uint: a LEB128 varint;   float: 8 bytes (host order);
//   string / binary: varint length, bytes (binary: then 1 byte has-subtype, 8 bytes subtype);
//   array: varint count, values;   object: varint count, then per member its key (varint
//   id·2+1 for an interned key, length·2 then bytes for an inline one) and value.
// The bytes are only ever read by the process that wrote them (host byte order is fine).
//
// Thread-safety: Encode and Intern are for the one writer; Decode and Key are safe from any
// number of readers concurrently with the writer, for the ids of any encoding the reader
// obtained through a synchronising handoff (the Store's lock): an id is written before the
// encoding that uses it is published, and an entry never moves or changes once written.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "limen/kube/client.h"

namespace limen::kube::compact {

class KeyTable {
 public:
  // Keys beyond the capacity, or longer than kMaxKeyLength, are stored inline instead.
  static constexpr size_t kChunkSize = 256;
  static constexpr size_t kChunks = 64;
  static constexpr size_t kMaxKeyLength = 96;

  // The id of `key`, interning it if there is room; -1 when it must go inline. Writer only.
  int64_t Intern(std::string_view key);
  // REQUIRES: `id` came from Intern (through an encoding the reader may read).
  const std::string& Key(uint64_t id) const { return chunks_[id / kChunkSize][id % kChunkSize]; }

 private:
  std::array<std::unique_ptr<std::string[]>, kChunks> chunks_;
  size_t size_ = 0;                                // writer only
  std::unordered_map<std::string, uint32_t> ids_;  // writer only
};

// Appends the encoding of `obj` to `out`.
void Encode(const Object& obj, KeyTable& keys, std::vector<uint8_t>& out);
// The Object encoded in [data, data + size). Throws std::runtime_error on malformed input
// (which only a bug can produce: the store decodes only what it encoded).
Object Decode(const uint8_t* data, size_t size, const KeyTable& keys);

}  // namespace limen::kube::compact
