#pragma once
/// \file
/// msgpack reading and writing for the Airport action bodies: every request is one map with
/// string keys; bytes fields may come as msgpack str or bin (the client packs std::string as
/// str even when it holds protobuf bytes). Malformed input becomes Status::Invalid, never an
/// exception.

#include <arrow/result.h>

#include <msgpack.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace homer::flight::mp {

/// A decoded msgpack value with the memory it points into.
class Document {
 public:
  static arrow::Result<Document> Parse(std::string_view bytes);
  const msgpack::object& root() const { return handle_.get(); }

 private:
  msgpack::object_handle handle_;
};

/// Field access on a map with string keys. Absent and nil fields read as empty.
class MapReader {
 public:
  /// `what` names the map in errors ("endpoints request").
  static arrow::Result<MapReader> Make(const msgpack::object& object, std::string what);

  const msgpack::object* Find(std::string_view key) const;
  /// A str or bin field ("" when absent or nil).
  arrow::Result<std::string> String(std::string_view key) const;
  /// An array of unsigned integers (empty when absent or nil).
  arrow::Result<std::vector<uint64_t>> UintArray(std::string_view key) const;
  /// A nested map (nullopt when absent or nil).
  arrow::Result<std::optional<MapReader>> Map(std::string_view key) const;

 private:
  MapReader(const msgpack::object* object, std::string what) : object_(object), what_(std::move(what)) {}
  arrow::Status WrongType(std::string_view key, std::string_view expected) const;

  const msgpack::object* object_;
  std::string what_;
};

/// Builds one msgpack value. Containers take their element count up front.
class Writer {
 public:
  Writer() : packer_(buffer_) {}
  Writer& Map(uint32_t entries);
  Writer& Array(uint32_t elements);
  Writer& Str(std::string_view s);
  Writer& Bin(std::string_view bytes);
  Writer& Bool(bool b);
  Writer& Uint(uint64_t v);
  Writer& Nil();
  /// A string, or nil when empty (for optional string fields).
  Writer& StrOrNil(std::string_view s) { return s.empty() ? Nil() : Str(s); }
  std::string Take() const { return std::string(buffer_.data(), buffer_.size()); }

 private:
  msgpack::sbuffer buffer_;
  msgpack::packer<msgpack::sbuffer> packer_;
};

}  // namespace homer::flight::mp
