#include "flightsql/metadata.h"

#include <arrow/extension_type.h>
#include <arrow/ipc/api.h>
#include <arrow/util/key_value_metadata.h>

#include <algorithm>
#include <cctype>

#include "duckdb/sql_text.h"

namespace homer::flightsql {
namespace {

std::shared_ptr<arrow::Field> Utf8(const std::string& name, bool nullable) {
  return arrow::field(name, arrow::utf8(), nullable);
}

/// Catalog and schema filters: an absent one matches everything; the spec's "empty string
/// means without a catalog/schema" matches nothing here, every table having both.
bool CatalogMatches(const std::string& catalog, bool has_filter, const std::string& filter) {
  return !has_filter || catalog == filter;
}

bool PatternMatches(const std::string& name, bool has_pattern, const std::string& pattern) {
  return !has_pattern || LikeMatch(name, pattern);
}

using duckdb::SameIdentifier;

/// Our tables are of type BASE TABLE; clients also ask for them as TABLE.
bool TableTypeMatches(const pb::CommandGetTables& command) {
  if (command.table_types_size() == 0) return true;
  return std::any_of(command.table_types().begin(), command.table_types().end(),
                     [](const std::string& t) { return SameIdentifier(t, kTableType) || SameIdentifier(t, "TABLE"); });
}

/// The data source's name for a column type, close to what DuckDB calls it.
std::string SqlTypeName(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::BOOL: return "BOOLEAN";
    case arrow::Type::INT8: return "TINYINT";
    case arrow::Type::INT16: return "SMALLINT";
    case arrow::Type::INT32: return "INTEGER";
    case arrow::Type::INT64: return "BIGINT";
    case arrow::Type::UINT8: return "UTINYINT";
    case arrow::Type::UINT16: return "USMALLINT";
    case arrow::Type::UINT32: return "UINTEGER";
    case arrow::Type::UINT64: return "UBIGINT";
    case arrow::Type::FLOAT: return "FLOAT";
    case arrow::Type::DOUBLE: return "DOUBLE";
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW: return "VARCHAR";
    case arrow::Type::BINARY:
    case arrow::Type::LARGE_BINARY: return "BLOB";
    case arrow::Type::DATE32: return "DATE";
    case arrow::Type::TIME64: return "TIME";
    case arrow::Type::TIMESTAMP:
      return static_cast<const arrow::TimestampType&>(type).timezone().empty() ? "TIMESTAMP" : "TIMESTAMP WITH TIME ZONE";
    case arrow::Type::DECIMAL128: return "DECIMAL";
    case arrow::Type::INTERVAL_MONTH_DAY_NANO: return "INTERVAL";
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST: return "LIST";
    case arrow::Type::STRUCT: return "STRUCT";
    case arrow::Type::MAP: return "MAP";
    case arrow::Type::EXTENSION: {
      const auto& name = static_cast<const arrow::ExtensionType&>(type).extension_name();
      if (name == "arrow.json") return "JSON";
      if (name == "arrow.uuid") return "UUID";
      return SqlTypeName(*static_cast<const arrow::ExtensionType&>(type).storage_type());
    }
    default: return type.ToString();
  }
}

std::shared_ptr<arrow::Field> DescribeField(const lake::LakeTable& table, const std::shared_ptr<arrow::Field>& f) {
  auto meta = f->metadata() ? f->metadata()->Copy() : std::make_shared<arrow::KeyValueMetadata>();
  meta->Append("ARROW:FLIGHT:SQL:CATALOG_NAME", table.catalog);
  meta->Append("ARROW:FLIGHT:SQL:DB_SCHEMA_NAME", table.schema);
  meta->Append("ARROW:FLIGHT:SQL:TABLE_NAME", table.name);
  meta->Append("ARROW:FLIGHT:SQL:TYPE_NAME", SqlTypeName(*f->type()));
  if (f->type()->id() == arrow::Type::DECIMAL128) {
    const auto& dec = static_cast<const arrow::Decimal128Type&>(*f->type());
    meta->Append("ARROW:FLIGHT:SQL:PRECISION", std::to_string(dec.precision()));
    meta->Append("ARROW:FLIGHT:SQL:SCALE", std::to_string(dec.scale()));
  }
  meta->Append("ARROW:FLIGHT:SQL:IS_AUTO_INCREMENT", "0");
  meta->Append("ARROW:FLIGHT:SQL:IS_CASE_SENSITIVE", arrow::is_string(f->type()->id()) ? "1" : "0");
  meta->Append("ARROW:FLIGHT:SQL:IS_READ_ONLY", "1");
  meta->Append("ARROW:FLIGHT:SQL:IS_SEARCHABLE", "1");
  return f->WithMetadata(std::move(meta));
}

}  // namespace

const std::shared_ptr<arrow::Schema>& CatalogsSchema() {
  static const auto schema = arrow::schema({Utf8("catalog_name", false)});
  return schema;
}

const std::shared_ptr<arrow::Schema>& DbSchemasSchema() {
  static const auto schema = arrow::schema({Utf8("catalog_name", true), Utf8("db_schema_name", false)});
  return schema;
}

const std::shared_ptr<arrow::Schema>& TablesSchema(bool include_schema) {
  static const auto without = arrow::schema({Utf8("catalog_name", true), Utf8("db_schema_name", true),
                                             Utf8("table_name", false), Utf8("table_type", false)});
  static const auto with = without->AddField(4, arrow::field("table_schema", arrow::binary(), false)).ValueOrDie();
  return include_schema ? with : without;
}

const std::shared_ptr<arrow::Schema>& TableTypesSchema() {
  static const auto schema = arrow::schema({Utf8("table_type", false)});
  return schema;
}

const std::shared_ptr<arrow::Schema>& PrimaryKeysSchema() {
  static const auto schema =
      arrow::schema({Utf8("catalog_name", true), Utf8("db_schema_name", true), Utf8("table_name", false),
                     Utf8("column_name", false), arrow::field("key_sequence", arrow::int32(), false),
                     Utf8("key_name", true)});
  return schema;
}

const std::shared_ptr<arrow::Schema>& ForeignKeysSchema() {
  static const auto schema = arrow::schema(
      {Utf8("pk_catalog_name", true), Utf8("pk_db_schema_name", true), Utf8("pk_table_name", false),
       Utf8("pk_column_name", false), Utf8("fk_catalog_name", true), Utf8("fk_db_schema_name", true),
       Utf8("fk_table_name", false), Utf8("fk_column_name", false), arrow::field("key_sequence", arrow::int32(), false),
       Utf8("fk_key_name", true), Utf8("pk_key_name", true), arrow::field("update_rule", arrow::uint8(), false),
       arrow::field("delete_rule", arrow::uint8(), false)});
  return schema;
}

bool LikeMatch(std::string_view text, std::string_view pattern) {
  if (pattern.empty()) return text.empty();
  if (pattern[0] == '%') {
    for (size_t i = 0; i <= text.size(); ++i) {
      if (LikeMatch(text.substr(i), pattern.substr(1))) return true;
    }
    return false;
  }
  if (text.empty()) return false;
  if (pattern[0] == '_') return LikeMatch(text.substr(1), pattern.substr(1));
  if (pattern[0] == '\\' && pattern.size() > 1) {
    return text[0] == pattern[1] && LikeMatch(text.substr(1), pattern.substr(2));
  }
  return text[0] == pattern[0] && LikeMatch(text.substr(1), pattern.substr(1));
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> GetCatalogs(const lake::CatalogSnapshot& snapshot) {
  auto catalogs = snapshot.catalogs;
  std::sort(catalogs.begin(), catalogs.end());
  arrow::StringBuilder names;
  ARROW_RETURN_NOT_OK(names.AppendValues(catalogs));
  ARROW_ASSIGN_OR_RAISE(auto array, names.Finish());
  return arrow::RecordBatch::Make(CatalogsSchema(), array->length(), {array});
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> GetDbSchemas(const lake::CatalogSnapshot& snapshot,
                                                                const pb::CommandGetDbSchemas& command) {
  auto catalogs = snapshot.catalogs;
  std::sort(catalogs.begin(), catalogs.end());
  arrow::StringBuilder catalog_names, schema_names;
  for (const auto& catalog : catalogs) {
    if (!CatalogMatches(catalog, command.has_catalog(), command.catalog())) continue;
    if (!PatternMatches("main", command.has_db_schema_filter_pattern(), command.db_schema_filter_pattern())) continue;
    ARROW_RETURN_NOT_OK(catalog_names.Append(catalog));
    ARROW_RETURN_NOT_OK(schema_names.Append("main"));
  }
  ARROW_ASSIGN_OR_RAISE(auto c, catalog_names.Finish());
  ARROW_ASSIGN_OR_RAISE(auto s, schema_names.Finish());
  return arrow::RecordBatch::Make(DbSchemasSchema(), c->length(), {c, s});
}

std::shared_ptr<arrow::Schema> DescribedTableSchema(const lake::LakeTable& table) {
  arrow::FieldVector fields;
  for (const auto& f : table.arrow_schema->fields()) fields.push_back(DescribeField(table, f));
  return arrow::schema(std::move(fields));
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> GetTables(const lake::CatalogSnapshot& snapshot,
                                                             const pb::CommandGetTables& command) {
  std::vector<const lake::LakeTable*> tables;
  for (const auto& t : snapshot.tables) {
    if (!CatalogMatches(t.catalog, command.has_catalog(), command.catalog())) continue;
    if (!PatternMatches(t.schema, command.has_db_schema_filter_pattern(), command.db_schema_filter_pattern())) continue;
    if (!PatternMatches(t.name, command.has_table_name_filter_pattern(), command.table_name_filter_pattern())) continue;
    if (!TableTypeMatches(command)) continue;
    tables.push_back(&t);
  }
  std::sort(tables.begin(), tables.end(), [](const lake::LakeTable* a, const lake::LakeTable* b) {
    return std::tie(a->catalog, a->schema, a->name) < std::tie(b->catalog, b->schema, b->name);
  });
  arrow::StringBuilder catalogs, schemas, names, types;
  arrow::BinaryBuilder table_schemas;
  for (const auto* t : tables) {
    ARROW_RETURN_NOT_OK(catalogs.Append(t->catalog));
    ARROW_RETURN_NOT_OK(schemas.Append(t->schema));
    ARROW_RETURN_NOT_OK(names.Append(t->name));
    ARROW_RETURN_NOT_OK(types.Append(std::string(kTableType)));
    if (command.include_schema()) {
      ARROW_ASSIGN_OR_RAISE(auto ipc, arrow::ipc::SerializeSchema(*DescribedTableSchema(*t)));
      ARROW_RETURN_NOT_OK(table_schemas.Append(ipc->data(), ipc->size()));
    }
  }
  arrow::ArrayVector columns(command.include_schema() ? 5 : 4);
  ARROW_RETURN_NOT_OK(catalogs.Finish(&columns[0]));
  ARROW_RETURN_NOT_OK(schemas.Finish(&columns[1]));
  ARROW_RETURN_NOT_OK(names.Finish(&columns[2]));
  ARROW_RETURN_NOT_OK(types.Finish(&columns[3]));
  if (command.include_schema()) ARROW_RETURN_NOT_OK(table_schemas.Finish(&columns[4]));
  return arrow::RecordBatch::Make(TablesSchema(command.include_schema()), columns[0]->length(), columns);
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> GetTableTypes() {
  arrow::StringBuilder types;
  ARROW_RETURN_NOT_OK(types.Append(std::string(kTableType)));
  ARROW_ASSIGN_OR_RAISE(auto array, types.Finish());
  return arrow::RecordBatch::Make(TableTypesSchema(), 1, {array});
}

}  // namespace homer::flightsql
