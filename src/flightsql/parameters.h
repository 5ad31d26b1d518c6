#pragma once
/// \file
/// Prepared-statement parameters without server state. The engine runs plain SQL only, so a
/// bound parameter set becomes SQL literals in place of the statement's placeholders (`?`,
/// `$1`...), and DoPut answers with a new handle carrying both the template and the bound SQL
/// (DoPutPreparedStatementResult). The result still goes through the engine's sandbox as one
/// SELECT, so a crafted value can do no more than a statement query.

#include <arrow/api.h>
#include <arrow/result.h>

#include <string>
#include <string_view>

namespace homer::flightsql {

/// The statement behind a prepared-statement handle.
struct PreparedStatement {
  std::string template_sql;  ///< as the client prepared it, placeholders included
  std::string bound_sql;     ///< what runs: template with the last bound values (= template if none)
};

std::string EncodePreparedHandle(const PreparedStatement& statement);
arrow::Result<PreparedStatement> DecodePreparedHandle(std::string_view handle);

/// Number of placeholders in `sql` outside string literals, quoted identifiers and comments.
int CountPlaceholders(std::string_view sql);

/// `sql` with each placeholder replaced: `?` by the next column of `row` of `params`, `$n` by
/// column n (1-based). With `params` null, every placeholder becomes NULL (to learn the schema).
arrow::Result<std::string> BindParameters(std::string_view sql, const arrow::RecordBatch* params, int64_t row);

/// A parameter value as a DuckDB SQL literal (typed by a CAST where the text alone is ambiguous).
arrow::Result<std::string> SqlLiteral(const arrow::Scalar& value);

}  // namespace homer::flightsql
