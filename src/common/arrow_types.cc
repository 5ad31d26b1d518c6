#include "common/arrow_types.h"

#include <arrow/extension/opaque.h>
#include <arrow/util/bit_util.h>

#include <cstring>
#include <vector>

namespace homer::common {
namespace {

/// The DuckDB opaque type name ("hugeint", ...) of an `arrow.opaque` type, "" for others.
std::string DuckDbOpaqueName(const arrow::DataType& type) {
  if (type.id() != arrow::Type::EXTENSION) return "";
  const auto* opaque = dynamic_cast<const arrow::extension::OpaqueType*>(&type);
  if (opaque == nullptr || opaque->vendor_name() != "DuckDB") return "";
  return std::string(opaque->type_name());
}

bool IsBool8(const arrow::DataType& type) {
  return type.id() == arrow::Type::EXTENSION &&
         static_cast<const arrow::ExtensionType&>(type).extension_name() == "arrow.bool8";
}

std::shared_ptr<arrow::Field> WireField(const std::shared_ptr<arrow::Field>& field) {
  auto type = WireType(field->type());
  return type == field->type() ? field : field->WithType(type);
}

/// The fields mapped; `changed` says whether any differs.
arrow::FieldVector WireFields(const arrow::FieldVector& fields, bool* changed) {
  arrow::FieldVector out;
  *changed = false;
  for (const auto& f : fields) {
    out.push_back(WireField(f));
    *changed = *changed || out.back() != f;
  }
  return out;
}

/// The type with its child fields mapped, or `type` itself when no child changes.
std::shared_ptr<arrow::DataType> WithWireChildren(const std::shared_ptr<arrow::DataType>& type) {
  bool changed = false;
  arrow::FieldVector fields = WireFields(type->fields(), &changed);
  if (!changed) return type;
  switch (type->id()) {
    case arrow::Type::LIST: return arrow::list(fields[0]);
    case arrow::Type::LARGE_LIST: return arrow::large_list(fields[0]);
    case arrow::Type::LIST_VIEW: return arrow::list_view(fields[0]);
    case arrow::Type::FIXED_SIZE_LIST:
      return arrow::fixed_size_list(fields[0], static_cast<const arrow::FixedSizeListType&>(*type).list_size());
    case arrow::Type::STRUCT: return arrow::struct_(fields);
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(*type);
      const auto& entries = fields[0]->type()->fields();
      return std::make_shared<arrow::MapType>(entries[0], entries[1], map.keys_sorted());
    }
    case arrow::Type::SPARSE_UNION:
      return arrow::sparse_union(fields, static_cast<const arrow::UnionType&>(*type).type_codes());
    case arrow::Type::DENSE_UNION:
      return arrow::dense_union(fields, static_cast<const arrow::UnionType&>(*type).type_codes());
    default: return type;  // no other nested type comes out of DuckDB
  }
}

/// Pack an int8 array (0 = false) into a validity-aligned bitmap: bit `offset + i` for row i.
arrow::Result<std::shared_ptr<arrow::Buffer>> PackBool8(const arrow::ArrayData& data) {
  const int64_t end = data.offset + data.length;
  ARROW_ASSIGN_OR_RAISE(auto bits, arrow::AllocateBitmap(end));
  uint8_t* out = bits->mutable_data();
  std::memset(out, 0, bits->size());
  if (data.length == 0 || data.buffers.size() < 2 || data.buffers[1] == nullptr) return bits;
  const int8_t* values = data.buffers[1]->data_as<int8_t>();
  for (int64_t i = data.offset; i < end; ++i) {
    if (values[i] != 0) arrow::bit_util::SetBit(out, i);
  }
  return bits;
}

/// A UHUGEINT at or above 2^127 would read as negative in decimal128.
arrow::Status CheckUnsignedFits(const arrow::ArrayData& data) {
  if (data.length == 0 || data.buffers[1] == nullptr) return arrow::Status::OK();
  const uint8_t* bytes = data.buffers[1]->data();
  const uint8_t* validity = data.buffers[0] ? data.buffers[0]->data() : nullptr;
  for (int64_t i = data.offset; i < data.offset + data.length; ++i) {
    if (validity != nullptr && !arrow::bit_util::GetBit(validity, i)) continue;
    if (bytes[i * 16 + 15] & 0x80) {
      return arrow::Status::Invalid("a UHUGEINT value of 2^127 or more cannot be sent as DECIMAL(38, 0)");
    }
  }
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::ArrayData>> ToWireData(const std::shared_ptr<arrow::ArrayData>& data,
                                                            const std::shared_ptr<arrow::DataType>& wire) {
  if (data->type->Equals(*wire)) return data;
  auto out = std::make_shared<arrow::ArrayData>(*data);
  out->type = wire;
  if (IsBool8(*data->type)) {
    ARROW_ASSIGN_OR_RAISE(out->buffers[1], PackBool8(*data));
    return out;
  }
  const std::string opaque = DuckDbOpaqueName(*data->type);
  if (opaque == "uhugeint") ARROW_RETURN_NOT_OK(CheckUnsignedFits(*data));
  if (opaque == "hugeint" || opaque == "uhugeint") return out;  // same bytes, now decimal128(38, 0)
  for (size_t i = 0; i < out->child_data.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(out->child_data[i], ToWireData(data->child_data[i], wire->field(static_cast<int>(i))->type()));
  }
  return out;
}

}  // namespace

std::shared_ptr<arrow::DataType> WireType(const std::shared_ptr<arrow::DataType>& engine_type) {
  if (IsBool8(*engine_type)) return arrow::boolean();
  const std::string opaque = DuckDbOpaqueName(*engine_type);
  if (opaque == "hugeint" || opaque == "uhugeint") return arrow::decimal128(38, 0);
  if (engine_type->id() == arrow::Type::EXTENSION || engine_type->num_fields() == 0) return engine_type;
  return WithWireChildren(engine_type);
}

std::shared_ptr<arrow::Schema> WireSchema(const std::shared_ptr<arrow::Schema>& engine_schema) {
  bool changed = false;
  arrow::FieldVector fields = WireFields(engine_schema->fields(), &changed);
  if (!changed) return engine_schema;
  return arrow::schema(std::move(fields), engine_schema->metadata());
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> ToWireBatch(const std::shared_ptr<arrow::RecordBatch>& batch,
                                                               const std::shared_ptr<arrow::Schema>& wire_schema) {
  if (batch->schema() == wire_schema || batch->schema()->Equals(*wire_schema)) return batch;
  std::vector<std::shared_ptr<arrow::ArrayData>> columns;
  columns.reserve(batch->num_columns());
  for (int i = 0; i < batch->num_columns(); ++i) {
    ARROW_ASSIGN_OR_RAISE(auto column, ToWireData(batch->column_data(i), wire_schema->field(i)->type()));
    columns.push_back(std::move(column));
  }
  return arrow::RecordBatch::Make(wire_schema, batch->num_rows(), std::move(columns));
}

}  // namespace homer::common
