#include "flightsql/sql_info_lists.h"

#include "common/lake_catalog.h"

namespace homer::flightsql {
namespace {

// One row per (category, name); 'k' keyword, 'n' numeric, 's' string, 'y' system, 'd' datetime.
constexpr const char* kListsSql = R"(
SELECT 'k', keyword_name FROM duckdb_keywords()
UNION
SELECT CASE
         WHEN function_name LIKE 'current\_%' ESCAPE '\' OR function_name IN ('version', 'typeof', 'user')
           THEN 'y'
         WHEN return_type IN ('VARCHAR') THEN 's'
         WHEN return_type IN ('DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'INTERVAL') THEN 'd'
         WHEN return_type IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT',
                              'UINTEGER', 'UBIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL') THEN 'n'
       END, function_name
FROM duckdb_functions()
WHERE function_type = 'scalar' AND function_name NOT LIKE '\_\_%' ESCAPE '\'
ORDER BY 1, 2)";

}  // namespace

arrow::Result<SqlInfoLists> LoadSqlInfoLists(engine::Engine* engine) {
  ARROW_ASSIGN_OR_RAISE(auto rows, common::QueryText(engine, kListsSql));
  SqlInfoLists lists;
  for (const auto& row : rows) {
    if (!row[0] || !row[1]) continue;
    switch ((*row[0])[0]) {
      case 'k': lists.keywords.push_back(*row[1]); break;
      case 'n': lists.numeric_functions.push_back(*row[1]); break;
      case 's': lists.string_functions.push_back(*row[1]); break;
      case 'y': lists.system_functions.push_back(*row[1]); break;
      case 'd': lists.datetime_functions.push_back(*row[1]); break;
      default: break;
    }
  }
  return lists;
}

}  // namespace homer::flightsql
