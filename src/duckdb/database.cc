#include "duckdb/database.h"

#include <duckdb.h>

#include <filesystem>

#include "duckdb/error_internal.h"
#include "duckdb/handles_internal.h"
#include "duckdb/sql_text.h"

namespace homer::duckdb {

void CloseDatabase(_duckdb_database** db) { duckdb_close(db); }
void CloseConnection(_duckdb_connection** con) { duckdb_disconnect(con); }

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
  if (!options.max_temp_directory_size.empty()) {
    ARROW_RETURN_NOT_OK(set("max_temp_directory_size", options.max_temp_directory_size));
  }

  Database db;
  char* error = nullptr;
  if (duckdb_open_ext(nullptr, db.out(), config.get(), &error) == DuckDBError) {
    std::string msg = error ? error : "unknown error";
    duckdb_free(error);
    return arrow::Status::Invalid("cannot open DuckDB: ", msg);
  }
  ARROW_ASSIGN_OR_RAISE(auto con, Connect(db));
  for (const auto& ext : options.extensions) {
    auto st = Exec(con, "LOAD " + QuoteIdent(ext));
    if (!st.ok()) {
      return arrow::Status::IOError("cannot load DuckDB extension '", ext, "' from the bundle '", options.extension_dir,
                                    "': ", st.message());
    }
  }
  // A setting of the Parquet reader, which the config above does not know yet.
  if (options.parquet_metadata_cache) ARROW_RETURN_NOT_OK(Exec(con, "SET GLOBAL parquet_metadata_cache = true"));
  return db;
}

arrow::Result<Connection> Connect(const Database& db) {
  Connection con;
  if (duckdb_connect(db.get(), con.out()) == DuckDBError) return arrow::Status::IOError("cannot connect to DuckDB");
  return con;
}

arrow::Status Exec(const Connection& con, const std::string& sql) {
  Result result;
  if (duckdb_query(con.get(), sql.c_str(), result.out()) == DuckDBError) return ResultError(result.get());
  return arrow::Status::OK();
}

arrow::Status InTransaction(const Connection& con, const std::function<arrow::Status()>& body) {
  ARROW_RETURN_NOT_OK(Exec(con, "BEGIN TRANSACTION"));
  arrow::Status st = body();
  if (st.ok()) st = Exec(con, "COMMIT");
  if (!st.ok()) (void)Exec(con, "ROLLBACK");
  return st;
}

arrow::Result<std::vector<std::vector<std::string>>> QueryRows(const Connection& con, const std::string& sql) {
  // Cast every column to VARCHAR in SQL so the reader below handles one vector layout.
  const std::string text_sql = "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (" + sql + ")";
  Result result;
  if (duckdb_query(con.get(), text_sql.c_str(), result.out()) == DuckDBError) return ResultError(result.get());
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

arrow::Result<std::vector<std::string>> QueryColumn(const Connection& con, const std::string& sql) {
  ARROW_ASSIGN_OR_RAISE(auto rows, QueryRows(con, sql));
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (auto& row : rows) out.push_back(row.empty() ? std::string() : std::move(row[0]));
  return out;
}


arrow::Result<int64_t> ExecCount(const Connection& con, const std::string& sql) {
  Result result;
  if (duckdb_query(con.get(), sql.c_str(), result.out()) == DuckDBError) return ResultError(result.get());
  return static_cast<int64_t>(duckdb_rows_changed(result.get()));
}

arrow::Result<std::string> QueryValue(const Connection& con, const std::string& sql,
                                      const std::vector<std::string>& texts) {
  PreparedStatement stmt;
  if (duckdb_prepare(con.get(), sql.c_str(), stmt.out()) == DuckDBError) {
    return MessageError(duckdb_prepare_error(stmt.get()));
  }
  for (size_t i = 0; i < texts.size(); ++i) {
    if (duckdb_bind_varchar_length(stmt.get(), i + 1, texts[i].data(), texts[i].size()) == DuckDBError) {
      return arrow::Status::Invalid("cannot bind parameter ", i + 1, " of: ", sql);
    }
  }
  Result result;
  if (duckdb_execute_prepared(stmt.get(), result.out()) == DuckDBError) return ResultError(result.get());
  if (duckdb_row_count(result.get()) == 0) return arrow::Status::Invalid("no row from: ", sql);
  char* value = duckdb_value_varchar(result.get(), 0, 0);
  std::string out = value ? value : "";
  duckdb_free(value);
  return out;
}

arrow::Result<size_t> CountStatements(const Connection& con, const std::string& sql) {
  ExtractedStatements extracted;
  const idx_t count = duckdb_extract_statements(con.get(), sql.c_str(), extracted.out());
  if (count == 0) {
    const char* err = duckdb_extract_statements_error(extracted.get());
    return MessageError(err ? err : "");
  }
  return static_cast<size_t>(count);
}

void Interrupt(const Connection& con) {
  if (con) duckdb_interrupt(con.get());
}

}  // namespace homer::duckdb
