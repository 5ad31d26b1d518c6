#include "engine/duckdb_util.h"

#include <filesystem>

#include "engine/sql_text.h"

namespace homer::engine {
namespace {

arrow::Status StatusFor(duckdb_error_type type, std::string message) {
  switch (type) {
    case DUCKDB_ERROR_PARSER:
    case DUCKDB_ERROR_SYNTAX:
    case DUCKDB_ERROR_BINDER:
    case DUCKDB_ERROR_CONVERSION:
    case DUCKDB_ERROR_OUT_OF_RANGE:
    case DUCKDB_ERROR_INVALID_INPUT:
    case DUCKDB_ERROR_INVALID_TYPE:
    case DUCKDB_ERROR_MISMATCH_TYPE:
    case DUCKDB_ERROR_DIVIDE_BY_ZERO:
    case DUCKDB_ERROR_NOT_IMPLEMENTED:
    case DUCKDB_ERROR_PERMISSION:
    case DUCKDB_ERROR_CONSTRAINT:
    case DUCKDB_ERROR_PARAMETER_NOT_RESOLVED:
    case DUCKDB_ERROR_PARAMETER_NOT_ALLOWED:
      return arrow::Status::Invalid(std::move(message));
    case DUCKDB_ERROR_CATALOG:
      return arrow::Status::KeyError(std::move(message));
    case DUCKDB_ERROR_INTERRUPT:
      return arrow::Status::Cancelled(std::move(message));
    case DUCKDB_ERROR_IO:
    case DUCKDB_ERROR_HTTP:
    case DUCKDB_ERROR_CONNECTION:
      return arrow::Status::IOError(std::move(message));
    case DUCKDB_ERROR_OUT_OF_MEMORY:
      return arrow::Status::OutOfMemory(std::move(message));
    default:
      return arrow::Status::UnknownError(std::move(message));
  }
}

}  // namespace

arrow::Status ResultError(duckdb_result* result) {
  const char* msg = duckdb_result_error(result);
  return StatusFor(duckdb_result_error_type(result), msg ? msg : "unknown DuckDB error");
}

arrow::Status ErrorDataStatus(duckdb_error_data error) {
  if (!error || !duckdb_error_data_has_error(error)) return arrow::Status::OK();
  return StatusFor(duckdb_error_data_error_type(error), duckdb_error_data_message(error));
}

arrow::Status MessageError(const char* message) {
  static const std::pair<const char*, duckdb_error_type> kPrefixes[] = {
      {"Parser Error", DUCKDB_ERROR_PARSER},     {"Binder Error", DUCKDB_ERROR_BINDER},
      {"Catalog Error", DUCKDB_ERROR_CATALOG},   {"Conversion Error", DUCKDB_ERROR_CONVERSION},
      {"Invalid Input Error", DUCKDB_ERROR_INVALID_INPUT}, {"Permission Error", DUCKDB_ERROR_PERMISSION},
      {"IO Error", DUCKDB_ERROR_IO},             {"HTTP Error", DUCKDB_ERROR_HTTP},
      {"INTERRUPT Error", DUCKDB_ERROR_INTERRUPT}, {"Out of Memory Error", DUCKDB_ERROR_OUT_OF_MEMORY},
      {"Not implemented Error", DUCKDB_ERROR_NOT_IMPLEMENTED}, {"Out of Range Error", DUCKDB_ERROR_OUT_OF_RANGE},
  };
  std::string msg = message ? message : "unknown DuckDB error";
  for (const auto& [prefix, type] : kPrefixes) {
    if (msg.rfind(prefix, 0) == 0) return StatusFor(type, msg);
  }
  return StatusFor(DUCKDB_ERROR_INVALID, msg);
}

arrow::Result<Database> OpenDatabase(const DatabaseOptions& options) {
  if (!std::filesystem::is_directory(options.extension_dir)) {
    return arrow::Status::IOError("extension bundle '", options.extension_dir,
                                  "' does not exist (run scripts/bootstrap.sh or pass --extension-dir)");
  }
  Config config;
  if (duckdb_create_config(config.out()) == DuckDBError) return arrow::Status::OutOfMemory("duckdb config");
  auto set = [&](const char* key, const std::string& value) -> arrow::Status {
    if (duckdb_set_config(config.get(), key, value.c_str()) == DuckDBError) {
      return arrow::Status::Invalid("DuckDB rejected setting ", key, "='", value, "'");
    }
    return arrow::Status::OK();
  };
  ARROW_RETURN_NOT_OK(set("extension_directory", options.extension_dir));
  ARROW_RETURN_NOT_OK(set("autoinstall_known_extensions", "false"));
  ARROW_RETURN_NOT_OK(set("autoload_known_extensions", "false"));
  ARROW_RETURN_NOT_OK(set("allow_community_extensions", "false"));
  ARROW_RETURN_NOT_OK(set("arrow_lossless_conversion", "true"));
  if (options.threads > 0) ARROW_RETURN_NOT_OK(set("threads", std::to_string(options.threads)));
  if (!options.memory_limit.empty()) ARROW_RETURN_NOT_OK(set("memory_limit", options.memory_limit));
  if (!options.temp_directory.empty()) ARROW_RETURN_NOT_OK(set("temp_directory", options.temp_directory));

  Database db;
  char* error = nullptr;
  if (duckdb_open_ext(nullptr, db.out(), config.get(), &error) == DuckDBError) {
    std::string msg = error ? error : "unknown error";
    duckdb_free(error);
    return arrow::Status::Invalid("cannot open DuckDB: ", msg);
  }
  ARROW_ASSIGN_OR_RAISE(auto con, Connect(db));
  for (const auto& ext : options.extensions) {
    auto st = Exec(con.get(), "LOAD " + QuoteIdent(ext));
    if (!st.ok()) {
      return arrow::Status::IOError("cannot load DuckDB extension '", ext, "' from the bundle '", options.extension_dir,
                                    "': ", st.message());
    }
  }
  return db;
}

arrow::Result<Connection> Connect(const Database& db) {
  Connection con;
  if (duckdb_connect(db.get(), con.out()) == DuckDBError) return arrow::Status::IOError("cannot connect to DuckDB");
  return con;
}

arrow::Status Exec(duckdb_connection con, const std::string& sql) {
  Result result;
  if (duckdb_query(con, sql.c_str(), result.out()) == DuckDBError) return ResultError(result.get());
  return arrow::Status::OK();
}

arrow::Result<std::vector<std::vector<std::string>>> QueryRows(duckdb_connection con, const std::string& sql) {
  // Cast every column to VARCHAR in SQL so the reader below handles one vector layout.
  const std::string text_sql = "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (" + sql + ")";
  Result result;
  if (duckdb_query(con, text_sql.c_str(), result.out()) == DuckDBError) return ResultError(result.get());
  std::vector<std::vector<std::string>> rows;
  const idx_t columns = duckdb_column_count(result.get());
  while (true) {
    DataChunk chunk(duckdb_fetch_chunk(*result.get()));
    if (!chunk) break;
    const idx_t n = duckdb_data_chunk_get_size(chunk.get());
    const size_t first = rows.size();
    rows.resize(first + n, std::vector<std::string>(columns));
    for (idx_t c = 0; c < columns; ++c) {
      duckdb_vector vec = duckdb_data_chunk_get_vector(chunk.get(), c);
      auto* data = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vec));
      uint64_t* validity = duckdb_vector_get_validity(vec);
      for (idx_t r = 0; r < n; ++r) {
        if (validity && !duckdb_validity_row_is_valid(validity, r)) continue;
        rows[first + r][c].assign(duckdb_string_t_data(&data[r]), duckdb_string_t_length(data[r]));
      }
    }
  }
  return rows;
}

arrow::Result<std::vector<std::string>> QueryColumn(duckdb_connection con, const std::string& sql) {
  ARROW_ASSIGN_OR_RAISE(auto rows, QueryRows(con, sql));
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (auto& row : rows) out.push_back(row.empty() ? std::string() : std::move(row[0]));
  return out;
}

}  // namespace homer::engine
