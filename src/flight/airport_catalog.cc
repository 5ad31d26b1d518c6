#include "flight/airport_catalog.h"

#include <arrow/flight/types.h>
#include <arrow/util/compression.h>
#include <openssl/sha.h>

#include <vector>

#include "flight/msgpack_util.h"

namespace homer::flight {
namespace {

using lake::LakeTable;

/// Types the client builds statistics for (airport_flight_statistics.cpp); any other type
/// makes it throw, so a table with one gets no `can_produce_statistics`.
bool ClientTakesStatistics(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::BOOL: case arrow::Type::INT8: case arrow::Type::INT16: case arrow::Type::INT32:
    case arrow::Type::INT64: case arrow::Type::UINT8: case arrow::Type::UINT16: case arrow::Type::UINT32:
    case arrow::Type::UINT64: case arrow::Type::FLOAT: case arrow::Type::DOUBLE: case arrow::Type::DECIMAL128:
    case arrow::Type::DATE32: case arrow::Type::TIME64: case arrow::Type::TIMESTAMP: case arrow::Type::STRING:
    case arrow::Type::BINARY: case arrow::Type::LIST: case arrow::Type::STRUCT: case arrow::Type::MAP:
    case arrow::Type::FIXED_SIZE_LIST:
      return true;
    case arrow::Type::EXTENSION: {
      const auto& name = static_cast<const arrow::ExtensionType&>(type).extension_name();
      return name == "arrow.json" || name == "arrow.uuid";
    }
    default:
      return false;
  }
}

/// The client sends the descriptor's path in a gRPC header, where only printable ASCII may go.
bool PrintableAscii(const std::vector<std::string>& names) {
  for (const auto& name : names) {
    for (unsigned char c : name) {
      if (c < 0x20 || c > 0x7e) return false;
    }
  }
  return true;
}

/// The schema blob: every table of one catalog as a serialized FlightInfo.
arrow::Result<std::string> SchemaBlob(const std::vector<const LakeTable*>& tables, const std::string& catalog_name) {
  mp::Writer infos;
  infos.Array(static_cast<uint32_t>(tables.size()));
  for (const LakeTable* t : tables) {
    std::vector<std::string> path = {t->catalog, t->schema, t->name};
    if (PrintableAscii(t->arrow_schema->field_names())) {
      for (const auto& f : t->arrow_schema->fields()) path.push_back(f->name());
    }
    ARROW_ASSIGN_OR_RAISE(auto info, arrow::flight::FlightInfo::Make(*AdvertisedSchema(*t),
                                                                     arrow::flight::FlightDescriptor::Path(path), {},
                                                                     -1, -1, false, TableAppMetadata(catalog_name, *t)));
    ARROW_ASSIGN_OR_RAISE(auto bytes, info.SerializeToString());
    infos.Bin(bytes);
  }
  return CompressedEnvelope(infos.Take());
}

/// {sha256, url: nil, serialized}
void WriteContents(mp::Writer& w, const std::string& sha256, const std::string* serialized) {
  w.Map(3).Str("sha256").Str(sha256).Str("url").Nil().Str("serialized");
  if (serialized) w.Bin(*serialized);
  else w.Nil();
}

std::string Description(const lake::CatalogSnapshot& snapshot, const std::string& catalog) {
  if (catalog == snapshot.lake_name) {
    return "the lake: every volume (storage_volume and storage_lake say where each row is stored)";
  }
  for (const auto& v : snapshot.volumes) {
    if (v.catalog == catalog) return "volume '" + v.label + "' only";
  }
  return "";
}

}  // namespace

std::string TableAppMetadata(const std::string& catalog_name, const LakeTable& table) {
  mp::Writer w;
  w.Map(5).Str("type").Str("table").Str("catalog").Str(catalog_name).Str("schema").Str(table.catalog);
  w.Str("name").Str(table.name).Str("comment").StrOrNil(table.comment);
  return w.Take();
}

std::shared_ptr<arrow::Schema> AdvertisedSchema(const LakeTable& table) {
  for (const auto& f : table.arrow_schema->fields()) {
    if (!ClientTakesStatistics(*f->type())) return table.arrow_schema;
  }
  return table.arrow_schema->WithMetadata(arrow::key_value_metadata({"can_produce_statistics"}, {"true"}));
}

arrow::Result<std::string> CompressedEnvelope(std::string_view raw) {
  ARROW_ASSIGN_OR_RAISE(auto codec, arrow::util::Codec::Create(arrow::Compression::ZSTD));
  const auto* in = reinterpret_cast<const uint8_t*>(raw.data());
  std::string out(codec->MaxCompressedLen(static_cast<int64_t>(raw.size()), in), '\0');
  ARROW_ASSIGN_OR_RAISE(int64_t n, codec->Compress(static_cast<int64_t>(raw.size()), in,
                                                   static_cast<int64_t>(out.size()),
                                                   reinterpret_cast<uint8_t*>(out.data())));
  out.resize(n);
  mp::Writer w;
  w.Array(2).Uint(raw.size()).Bin(out);
  return w.Take();
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

arrow::Result<std::string> ListSchemasBody(const lake::CatalogSnapshot& snapshot, const std::string& catalog_name) {
  std::vector<std::string> blobs;
  std::string all_hashes;
  for (const auto& catalog : snapshot.catalogs) {
    ARROW_ASSIGN_OR_RAISE(auto blob, SchemaBlob(snapshot.TablesOf(catalog), catalog_name));
    all_hashes += Sha256Hex(blob);
    blobs.push_back(std::move(blob));
  }
  mp::Writer root;
  root.Map(3).Str("contents");
  WriteContents(root, Sha256Hex(all_hashes), nullptr);
  root.Str("schemas").Array(static_cast<uint32_t>(blobs.size()));
  for (size_t i = 0; i < blobs.size(); ++i) {
    const std::string& catalog = snapshot.catalogs[i];
    root.Map(5).Str("name").Str(catalog).Str("description").Str(Description(snapshot, catalog));
    root.Str("tags").Map(0).Str("is_default").Bool(catalog == snapshot.lake_name).Str("contents");
    WriteContents(root, Sha256Hex(blobs[i]), &blobs[i]);
  }
  root.Str("version_info").Map(2).Str("catalog_version").Uint(snapshot.version).Str("is_fixed").Bool(false);
  return CompressedEnvelope(root.Take());
}

}  // namespace homer::flight
