#include "flight/msgpack_util.h"

namespace homer::flight::mp {

arrow::Result<Document> Document::Parse(std::string_view bytes) {
  Document doc;
  // Every element takes at least one byte, so no count may exceed the input's size: a header
  // announcing 2^32 elements must not make the parser reserve room for them first.
  const auto n = static_cast<std::size_t>(bytes.size());
  const msgpack::unpack_limit limit(/*array=*/n, /*map=*/n, /*str=*/n, /*bin=*/n, /*ext=*/n, /*depth=*/64);
  try {
    doc.handle_ = msgpack::unpack(bytes.data(), bytes.size(), nullptr, nullptr, limit);
  } catch (const std::exception& e) {
    return arrow::Status::Invalid("malformed msgpack: ", e.what());
  }
  return doc;
}

arrow::Result<MapReader> MapReader::Make(const msgpack::object& object, std::string what) {
  if (object.type != msgpack::type::MAP) return arrow::Status::Invalid(what, " must be a msgpack map");
  return MapReader(&object, std::move(what));
}

const msgpack::object* MapReader::Find(std::string_view key) const {
  const auto& map = object_->via.map;
  for (uint32_t i = 0; i < map.size; ++i) {
    const auto& k = map.ptr[i].key;
    if (k.type == msgpack::type::STR && std::string_view(k.via.str.ptr, k.via.str.size) == key) {
      return &map.ptr[i].val;
    }
  }
  return nullptr;
}

arrow::Status MapReader::WrongType(std::string_view key, std::string_view expected) const {
  return arrow::Status::Invalid(what_, ": field '", key, "' must be ", expected);
}

arrow::Result<std::string> MapReader::String(std::string_view key) const {
  const msgpack::object* v = Find(key);
  if (v == nullptr || v->type == msgpack::type::NIL) return std::string();
  if (v->type == msgpack::type::STR) return std::string(v->via.str.ptr, v->via.str.size);
  if (v->type == msgpack::type::BIN) return std::string(v->via.bin.ptr, v->via.bin.size);
  return WrongType(key, "a string");
}

arrow::Result<std::vector<uint64_t>> MapReader::UintArray(std::string_view key) const {
  std::vector<uint64_t> out;
  const msgpack::object* v = Find(key);
  if (v == nullptr || v->type == msgpack::type::NIL) return out;
  if (v->type != msgpack::type::ARRAY) return WrongType(key, "an array of unsigned integers");
  for (uint32_t i = 0; i < v->via.array.size; ++i) {
    const auto& e = v->via.array.ptr[i];
    if (e.type != msgpack::type::POSITIVE_INTEGER) return WrongType(key, "an array of unsigned integers");
    out.push_back(e.via.u64);
  }
  return out;
}

arrow::Result<std::optional<MapReader>> MapReader::Map(std::string_view key) const {
  const msgpack::object* v = Find(key);
  if (v == nullptr || v->type == msgpack::type::NIL) return std::optional<MapReader>();
  if (v->type != msgpack::type::MAP) return WrongType(key, "a map");
  return std::optional<MapReader>(MapReader(v, what_ + "." + std::string(key)));
}

Writer& Writer::Map(uint32_t entries) {
  packer_.pack_map(entries);
  return *this;
}

Writer& Writer::Array(uint32_t elements) {
  packer_.pack_array(elements);
  return *this;
}

Writer& Writer::Str(std::string_view s) {
  packer_.pack_str(static_cast<uint32_t>(s.size()));
  packer_.pack_str_body(s.data(), static_cast<uint32_t>(s.size()));
  return *this;
}

Writer& Writer::Bin(std::string_view bytes) {
  packer_.pack_bin(static_cast<uint32_t>(bytes.size()));
  packer_.pack_bin_body(bytes.data(), static_cast<uint32_t>(bytes.size()));
  return *this;
}

Writer& Writer::Bool(bool b) {
  if (b) packer_.pack_true();
  else packer_.pack_false();
  return *this;
}

Writer& Writer::Uint(uint64_t v) {
  packer_.pack_uint64(v);
  return *this;
}

Writer& Writer::Nil() {
  packer_.pack_nil();
  return *this;
}

}  // namespace homer::flight::mp
