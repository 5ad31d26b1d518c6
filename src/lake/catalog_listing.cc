#include "lake/catalog_listing.h"

#include "duckdb/sql_text.h"

namespace homer::lake {

using duckdb::QuoteLiteral;

std::string LakeTable::QualifiedName() const { return duckdb::QualifiedName(catalog, schema, name); }

const LakeTable* CatalogSnapshot::Find(const std::string& catalog, const std::string& schema,
                                       const std::string& name) const {
  for (const auto& t : tables) {
    if (t.catalog == catalog && t.schema == schema && t.name == name) return &t;
  }
  return nullptr;
}

std::vector<const LakeTable*> CatalogSnapshot::TablesOf(const std::string& catalog) const {
  std::vector<const LakeTable*> out;
  for (const auto& t : tables) {
    if (t.catalog == catalog) out.push_back(&t);
  }
  return out;
}

std::string TableListSql(const std::string& lake_name, const std::vector<LakeVolume>& volumes) {
  std::string catalogs;
  for (const auto& v : volumes) catalogs += (catalogs.empty() ? "" : ", ") + QuoteLiteral(v.catalog);
  return "SELECT database_name, table_name, coalesce(comment, ''), 'table' FROM duckdb_tables() "
         "WHERE schema_name = 'main' AND database_name IN (" + catalogs + ") "
         "UNION ALL SELECT database_name, view_name, coalesce(comment, ''), 'view' FROM duckdb_views() "
         "WHERE NOT internal AND schema_name = 'main' AND database_name = " + QuoteLiteral(lake_name) +
         " ORDER BY 1, 2";
}

}  // namespace homer::lake
