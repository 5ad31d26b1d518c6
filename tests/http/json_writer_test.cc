#include "http/json_writer.h"

#include <arrow/api.h>
#include <arrow/c/bridge.h>
#include <arrow/json/from_string.h>
#include <duckdb.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace homer::http {
namespace {

#define ASSERT_OK(expr)                                \
  do {                                                 \
    const arrow::Status status_ = (expr);              \
    ASSERT_TRUE(status_.ok()) << status_.ToString();   \
  } while (false)

struct QueryResult {
  std::shared_ptr<arrow::Schema> schema;
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
};

/// An in-memory DuckDB with arrow_lossless_conversion=true whose query results go through
/// the same C API path as the server: chunks -> duckdb_data_chunk_to_arrow -> Arrow C++.
class TestDatabase {
 public:
  TestDatabase() {
    duckdb_config config;
    duckdb_create_config(&config);
    duckdb_set_config(config, "arrow_lossless_conversion", "true");
    char* error = nullptr;
    if (duckdb_open_ext(":memory:", &db_, config, &error) == DuckDBSuccess) {
      duckdb_connect(db_, &con_);
    } else {
      open_error_ = error != nullptr ? error : "duckdb_open_ext failed";
      duckdb_free(error);
    }
    duckdb_destroy_config(&config);
  }
  ~TestDatabase() {
    if (con_ != nullptr) duckdb_disconnect(&con_);
    if (db_ != nullptr) duckdb_close(&db_);
  }

  arrow::Status Execute(const std::string& sql) {
    duckdb_result result;
    arrow::Status status = Run(sql, &result);
    duckdb_destroy_result(&result);
    return status;
  }

  arrow::Result<QueryResult> Query(const std::string& sql) {
    duckdb_result result;
    arrow::Status status = Run(sql, &result);
    arrow::Result<QueryResult> converted =
        status.ok() ? Convert(&result) : arrow::Result<QueryResult>(status);
    duckdb_destroy_result(&result);
    return converted;
  }

 private:
  arrow::Status Run(const std::string& sql, duckdb_result* result) {
    if (con_ == nullptr) return arrow::Status::IOError(open_error_);
    if (duckdb_query(con_, sql.c_str(), result) == DuckDBError) {
      return arrow::Status::Invalid(duckdb_result_error(result), "\nin: ", sql);
    }
    return arrow::Status::OK();
  }

  static arrow::Status ErrorStatus(duckdb_error_data error) {
    arrow::Status status = duckdb_error_data_has_error(error)
                               ? arrow::Status::Invalid(duckdb_error_data_message(error))
                               : arrow::Status::OK();
    duckdb_destroy_error_data(&error);
    return status;
  }

  arrow::Result<QueryResult> Convert(duckdb_result* result) {
    duckdb_arrow_options options;
    duckdb_connection_get_arrow_options(con_, &options);
    arrow::Result<QueryResult> converted = ConvertWith(options, result);
    duckdb_destroy_arrow_options(&options);
    return converted;
  }

  static arrow::Result<QueryResult> ConvertWith(duckdb_arrow_options options,
                                                duckdb_result* result) {
    const idx_t count = duckdb_column_count(result);
    std::vector<duckdb_logical_type> types;
    std::vector<const char*> names;
    for (idx_t i = 0; i < count; ++i) {
      types.push_back(duckdb_column_logical_type(result, i));
      names.push_back(duckdb_column_name(result, i));
    }
    ArrowSchema c_schema;
    arrow::Status status = ErrorStatus(
        duckdb_to_arrow_schema(options, types.data(), names.data(), count, &c_schema));
    for (auto& type : types) duckdb_destroy_logical_type(&type);
    ARROW_RETURN_NOT_OK(status);
    QueryResult out;
    ARROW_ASSIGN_OR_RAISE(out.schema, arrow::ImportSchema(&c_schema));
    while (duckdb_data_chunk chunk = duckdb_fetch_chunk(*result)) {
      ArrowArray c_array;
      status = ErrorStatus(duckdb_data_chunk_to_arrow(options, chunk, &c_array));
      duckdb_destroy_data_chunk(&chunk);
      ARROW_RETURN_NOT_OK(status);
      ARROW_ASSIGN_OR_RAISE(auto batch, arrow::ImportRecordBatch(&c_array, out.schema));
      out.batches.push_back(std::move(batch));
    }
    return out;
  }

  duckdb_database db_ = nullptr;
  duckdb_connection con_ = nullptr;
  std::string open_error_;
};

enum class Form { kArray, kObject };

arrow::Result<std::vector<std::string>> EncodeAll(const QueryResult& result, Form form) {
  ARROW_ASSIGN_OR_RAISE(auto encoder, JsonRowEncoder::Make(result.schema));
  std::vector<std::string> rows;
  for (const auto& batch : result.batches) {
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      std::string text;
      if (form == Form::kArray) {
        encoder->AppendRowArray(*batch, row, &text);
      } else {
        encoder->AppendRowObject(*batch, row, &text);
      }
      rows.push_back(std::move(text));
    }
  }
  return rows;
}

class JsonWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(db_.Execute("SET TimeZone='UTC'"));
    ASSERT_OK(db_.Execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')"));
  }

  /// All rows of `sql`, encoded.
  std::vector<std::string> Rows(const std::string& sql, Form form = Form::kObject) {
    auto result = db_.Query(sql);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok()) return {};
    auto rows = EncodeAll(*result, form);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<std::string>{};
  }

  /// The single row of `sql`, encoded.
  std::string Row(const std::string& sql, Form form = Form::kObject) {
    std::vector<std::string> rows = Rows(sql, form);
    EXPECT_EQ(rows.size(), 1u) << sql;
    return rows.empty() ? "" : rows[0];
  }

  TestDatabase db_;
};

TEST_F(JsonWriterTest, BooleansAndIntegersAreExactNumbers) {
  EXPECT_EQ(Row("SELECT true AS t, false AS f, (-128)::TINYINT AS i8, 32767::SMALLINT AS i16, "
                "(-2147483648)::INTEGER AS i32, (-9223372036854775808)::BIGINT AS i64, "
                "255::UTINYINT AS u8, 65535::USMALLINT AS u16, 4294967295::UINTEGER AS u32, "
                "18446744073709551615::UBIGINT AS u64"),
            R"({"t":true,"f":false,"i8":-128,"i16":32767,"i32":-2147483648,)"
            R"("i64":-9223372036854775808,"u8":255,"u16":65535,"u32":4294967295,)"
            R"("u64":18446744073709551615})");
}

TEST_F(JsonWriterTest, HugeintsAndBignumsAreExactNumbers) {
  EXPECT_EQ(Row("SELECT 170141183460469231731687303715884105727::HUGEINT AS hmax, "
                "(-170141183460469231731687303715884105727::HUGEINT - 1) AS hmin, "
                "0::HUGEINT AS hzero, -1::HUGEINT AS hneg, 18446744073709551616::HUGEINT AS h64, "
                "340282366920938463463374607431768211455::UHUGEINT AS umax, 0::UHUGEINT AS uzero, "
                "'123456789012345678901234567890123456789012345678901234567890'::BIGNUM AS big, "
                "'-987654321098765432109876543210987654321'::BIGNUM AS nbig, "
                "0::BIGNUM AS bzero, -256::BIGNUM AS bneg"),
            R"({"hmax":170141183460469231731687303715884105727,)"
            R"("hmin":-170141183460469231731687303715884105728,"hzero":0,"hneg":-1,)"
            R"("h64":18446744073709551616,"umax":340282366920938463463374607431768211455,)"
            R"("uzero":0,"big":123456789012345678901234567890123456789012345678901234567890,)"
            R"("nbig":-987654321098765432109876543210987654321,"bzero":0,"bneg":-256})");
}

TEST_F(JsonWriterTest, FloatsAreShortestRoundTripAndNonFiniteIsNull) {
  EXPECT_EQ(Row("SELECT 1.5::FLOAT AS f, 0.1::FLOAT AS f01, 0.1::DOUBLE AS d01, "
                "1e300::DOUBLE AS big, -0.0::DOUBLE AS negzero, 5e-324::DOUBLE AS tiny, "
                "1/3::DOUBLE AS third, 'nan'::DOUBLE AS nan, 'inf'::DOUBLE AS inf, "
                "'-inf'::FLOAT AS ninf, 123456789::DOUBLE AS whole"),
            R"({"f":1.5,"f01":0.1,"d01":0.1,"big":1e+300,"negzero":-0,"tiny":5e-324,)"
            R"("third":0.3333333333333333,"nan":null,"inf":null,"ninf":null,)"
            R"("whole":123456789})");
}

TEST_F(JsonWriterTest, DecimalsKeepTheirScale) {
  EXPECT_EQ(Row("SELECT 123.45::DECIMAL(5,2) AS d5, -0.001::DECIMAL(4,3) AS small, "
                "-1.5::DECIMAL(4,1) AS d4, 0::DECIMAL(18,3) AS zero, 12::DECIMAL(18,0) AS d18, "
                "-123456789.123456789::DECIMAL(18,9) AS d18n, "
                "'-1234567890123456789012345678.0123456789'::DECIMAL(38,10) AS d38, "
                "'0.01234567890123456789012345678901234567'::DECIMAL(38,38) AS frac"),
            R"({"d5":123.45,"small":-0.001,"d4":-1.5,"zero":0.000,"d18":12,)"
            R"("d18n":-123456789.123456789,"d38":-1234567890123456789012345678.0123456789,)"
            R"("frac":0.01234567890123456789012345678901234567})");
}

TEST_F(JsonWriterTest, StringsAreEscaped) {
  EXPECT_EQ(Row("SELECT 'plain' AS a, 'say \"hi\" \\ / done' AS quotes, "
                "'line' || chr(10) || 'cr' || chr(13) || 'tab' || chr(9) || 'bs' || chr(8) || "
                "'ff' || chr(12) AS controls, chr(1) || chr(31) || chr(127) AS raw, "
                "'héllo wörld ✓ 😀 日本' AS unicode, '' AS empty, 'abc'::BPCHAR AS ch"),
            "{\"a\":\"plain\",\"quotes\":\"say \\\"hi\\\" \\\\ / done\","
            "\"controls\":\"line\\ncr\\rtab\\tbs\\bff\\f\",\"raw\":\"\\u0001\\u001f\x7f\","
            "\"unicode\":\"héllo wörld ✓ 😀 日本\",\"empty\":\"\",\"ch\":\"abc\"}");
}

TEST_F(JsonWriterTest, BinaryIsBase64AndUuidJsonBitHaveTheirForms) {
  EXPECT_EQ(Row("SELECT '\\x00\\xFF\\x41'::BLOB AS b3, 'ab'::BLOB AS b2, 'a'::BLOB AS b1, "
                "''::BLOB AS b0, '\\xFB\\xFF'::BLOB AS b64chars, "
                "'123e4567-e89b-12d3-a456-426614174000'::UUID AS u, "
                "'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'::UUID AS umax, "
                "'00000000-0000-0000-0000-000000000000'::UUID AS umin, "
                "'{\"a\": [1, 2.5, \"x\"], \"b\": null}'::JSON AS j, '[]'::JSON AS jarr, "
                "'\"text\"'::JSON AS jstr, '10110011101'::BIT AS bits, '0'::BIT AS bit0"),
            R"({"b3":"AP9B","b2":"YWI=","b1":"YQ==","b0":"","b64chars":"+/8=",)"
            R"("u":"123e4567-e89b-12d3-a456-426614174000",)"
            R"("umax":"ffffffff-ffff-ffff-ffff-ffffffffffff",)"
            R"("umin":"00000000-0000-0000-0000-000000000000",)"
            R"("j":{"a": [1, 2.5, "x"], "b": null},"jarr":[],"jstr":"text",)"
            R"("bits":"10110011101","bit0":"0"})");
}

TEST_F(JsonWriterTest, DatesAndTimestampsAreIso8601) {
  EXPECT_EQ(Row("SELECT DATE '2024-02-29' AS d, DATE '1969-12-31' AS before_epoch, "
                "DATE '0044-03-15 (BC)' AS bc, DATE '0001-01-01' AS first, "
                "DATE '5877642-06-25' AS far, 'infinity'::DATE AS inf, '-infinity'::DATE AS ninf, "
                "TIMESTAMP '2024-01-02 03:04:05' AS ts, "
                "TIMESTAMP '1969-12-31 23:59:59.999999' AS ts_before, "
                "TIMESTAMP '1900-03-01 00:00:00.000001' AS ts1900, "
                "'2001-02-03 04:05:06'::TIMESTAMP_S AS ts_s, "
                "'1950-06-07 08:09:10.123'::TIMESTAMP_MS AS ts_ms, "
                "'1960-01-01 00:00:00.123456789'::TIMESTAMP_NS AS ts_ns, "
                "'2200-01-01 00:00:00.000000001'::TIMESTAMP_NS AS ts_ns_late, "
                "TIMESTAMPTZ '2024-01-02 03:04:05.5+02' AS tstz, "
                "'infinity'::TIMESTAMP AS ts_inf, '-infinity'::TIMESTAMP_NS AS ts_ninf"),
            R"({"d":"2024-02-29","before_epoch":"1969-12-31","bc":"-0043-03-15",)"
            R"("first":"0001-01-01","far":"5877642-06-25","inf":"infinity","ninf":"-infinity",)"
            R"("ts":"2024-01-02T03:04:05","ts_before":"1969-12-31T23:59:59.999999",)"
            R"("ts1900":"1900-03-01T00:00:00.000001","ts_s":"2001-02-03T04:05:06",)"
            R"("ts_ms":"1950-06-07T08:09:10.123","ts_ns":"1960-01-01T00:00:00.123456789",)"
            R"("ts_ns_late":"2200-01-01T00:00:00.000000001","tstz":"2024-01-02T01:04:05.500000Z",)"
            R"("ts_inf":"infinity","ts_ninf":"-infinity"})");
}

TEST_F(JsonWriterTest, TimestampTzIsUtcWhateverTheSessionTimeZone) {
  ASSERT_OK(db_.Execute("SET TimeZone='America/New_York'"));
  auto result = db_.Query("SELECT TIMESTAMPTZ '2024-07-01 12:00:00+00' AS t");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->schema->field(0)->type()->ToString(), "timestamp[us, tz=America/New_York]");
  EXPECT_EQ(Row("SELECT TIMESTAMPTZ '2024-07-01 12:00:00+00' AS t"), R"({"t":"2024-07-01T12:00:00Z"})");
}

TEST_F(JsonWriterTest, TimesAndIntervals) {
  EXPECT_EQ(Row("SELECT TIME '12:34:56.789' AS t, TIME '00:00:00' AS midnight, "
                "'24:00:00'::TIME AS end_of_day, '12:00:00.123456789'::TIME_NS AS tns, "
                "'12:34:56.5+05:30'::TIMETZ AS ttz, '00:00:01-02:30'::TIMETZ AS ttz_neg, "
                "INTERVAL '1 year 2 months 3 days 04:05:06.5' AS full_interval, "
                "INTERVAL '0 seconds' AS zero, INTERVAL '14 months' AS months, "
                "INTERVAL '36 hours' AS hours, INTERVAL '1 microsecond' AS micro, "
                "INTERVAL '-1 second' AS negative, INTERVAL '-1 year -3 days' AS negative_date, "
                "INTERVAL '2 days' - INTERVAL '90 minutes' AS mixed"),
            R"({"t":"12:34:56.789000","midnight":"00:00:00","end_of_day":"24:00:00",)"
            R"("tns":"12:00:00.123456789","ttz":"12:34:56.500000+05:30",)"
            R"("ttz_neg":"00:00:01-02:30","full_interval":"P1Y2M3DT4H5M6.5S","zero":"PT0S",)"
            R"("months":"P1Y2M","hours":"PT36H","micro":"PT0.000001S","negative":"PT-1S",)"
            R"("negative_date":"P-1Y-3D","mixed":"P2DT-1H-30M"})");
}

TEST_F(JsonWriterTest, NestedTypes) {
  EXPECT_EQ(Row("SELECT [{'a': 1, 'b': 'x'}, {'a': NULL, 'b': NULL}, NULL] AS list_of_struct, "
                "[[1], [2, NULL], []] AS nested, []::INTEGER[] AS empty, "
                "[1, 2, 3]::INTEGER[3] AS fixed, [NULL, [1, 2]::INTEGER[2]] AS fixed_in_list, "
                "MAP {'k': 1, 'q\"': NULL} AS map_str, MAP {1: 'a', 2: NULL} AS map_int, "
                "MAP {}::MAP(VARCHAR, INTEGER) AS map_empty, "
                "MAP {'l': [1, 2]} AS map_list, {'x': {'y': [NULL]}, 'z': NULL} AS deep, "
                "NULL::STRUCT(a INTEGER) AS null_struct, "
                "['123e4567-e89b-12d3-a456-426614174000'::UUID, NULL] AS uuids, "
                "['\\x01'::BLOB] AS blobs, [DATE '2020-01-01'] AS dates"),
            R"({"list_of_struct":[{"a":1,"b":"x"},{"a":null,"b":null},null],)"
            R"("nested":[[1],[2,null],[]],"empty":[],"fixed":[1,2,3],)"
            R"("fixed_in_list":[null,[1,2]],"map_str":{"k":1,"q\"":null},)"
            R"("map_int":[{"key":1,"value":"a"},{"key":2,"value":null}],"map_empty":{},)"
            R"("map_list":{"l":[1,2]},"deep":{"x":{"y":[null]},"z":null},"null_struct":null,)"
            R"("uuids":["123e4567-e89b-12d3-a456-426614174000",null],"blobs":["AQ=="],)"
            R"("dates":["2020-01-01"]})");
}

TEST_F(JsonWriterTest, EnumsAndUnionsDecodeTheirValue) {
  EXPECT_EQ(Row("SELECT 'happy'::mood AS e, ['sad'::mood, NULL, 'ok'::mood] AS es, "
                "union_value(n := 7)::UNION(n INTEGER, s VARCHAR) AS u_int, "
                "union_value(s := 'x')::UNION(n INTEGER, s VARCHAR) AS u_str, "
                "NULL::UNION(n INTEGER, s VARCHAR) AS u_null, "
                "[union_value(n := 1)::UNION(n INTEGER, s VARCHAR), "
                " union_value(s := 'y')::UNION(n INTEGER, s VARCHAR)] AS u_list"),
            R"({"e":"happy","es":["sad",null,"ok"],"u_int":7,"u_str":"x","u_null":null,)"
            R"("u_list":[1,"y"]})");
}

TEST_F(JsonWriterTest, EveryTypeEncodesNull) {
  const std::vector<std::string> types = {
      "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
      "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL(4,1)",
      "DECIMAL(38,10)", "VARCHAR", "BLOB", "DATE", "TIME", "TIME_NS", "TIMETZ", "TIMESTAMP",
      "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMPTZ", "INTERVAL", "UUID",
      "JSON", "BIT", "BIGNUM", "GEOMETRY", "INTEGER[]", "VARCHAR[2]", "STRUCT(a INTEGER)",
      "MAP(VARCHAR, INTEGER)", "MAP(INTEGER, INTEGER)", "mood", "UNION(n INTEGER, s VARCHAR)"};
  std::string sql = "SELECT NULL AS untyped";
  std::string expected = "[null";
  for (const auto& type : types) {
    sql += ", NULL::" + type;
    expected += ",null";
  }
  EXPECT_EQ(Row(sql, Form::kArray), expected + "]");
}

TEST_F(JsonWriterTest, ArrayFormAndColumnNames) {
  EXPECT_EQ(Row("SELECT 1 AS a, 'x' AS b, NULL AS c", Form::kArray), R"([1,"x",null])");
  EXPECT_EQ(Row("SELECT 1 AS \"quo\"\"te\", 2 AS \"back\\slash\", 3 AS \"ü\"", Form::kObject),
            R"({"quo\"te":1,"back\\slash":2,"ü":3})");
  EXPECT_EQ(Row("SELECT 42", Form::kObject), R"({"42":42})");
}

TEST_F(JsonWriterTest, DuplicateColumnNamesAreKept) {
  auto schema = arrow::schema({arrow::field("a", arrow::int32()), arrow::field("a", arrow::utf8())});
  auto ints = arrow::json::ArrayFromJSONString(arrow::int32(), "[1]");
  auto strings = arrow::json::ArrayFromJSONString(arrow::utf8(), R"(["x"])");
  ASSERT_TRUE(ints.ok() && strings.ok());
  auto batch = arrow::RecordBatch::Make(schema, 1, {*ints, *strings});
  auto encoder = JsonRowEncoder::Make(schema);
  ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
  std::string out;
  (*encoder)->AppendRowObject(*batch, 0, &out);
  EXPECT_EQ(out, R"({"a":1,"a":"x"})");
}

TEST_F(JsonWriterTest, ArrowOutputSettingsGiveTheSameJson) {
  const std::string query =
      "SELECT i, 'row' || i AS s, [i, NULL, i + 1] AS l, {'k': i, 'v': 'v' || i} AS st, "
      "MAP {'key' || i: i} AS m, ['\\x01\\x02'::BLOB] AS b, '{\"x\":1}'::JSON AS j "
      "FROM range(3000) t(i)";
  std::vector<std::string> reference = Rows(query);
  ASSERT_EQ(reference.size(), 3000u);
  EXPECT_EQ(reference[7], R"({"i":7,"s":"row7","l":[7,null,8],"st":{"k":7,"v":"v7"},)"
                          R"("m":{"key7":7},"b":["AQI="],"j":{"x":1}})");
  const std::vector<std::string> settings = {
      "SET arrow_large_buffer_size=true",
      "SET arrow_large_buffer_size=false; SET arrow_output_version='1.5'; "
      "SET produce_arrow_string_view=true; SET arrow_output_list_view=true",
      "SET arrow_large_buffer_size=true; SET arrow_output_version='1.5'; "
      "SET produce_arrow_string_view=false; SET arrow_output_list_view=true"};
  for (const auto& setting : settings) {
    ASSERT_OK(db_.Execute(setting));
    auto result = db_.Query(query);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    SCOPED_TRACE(setting + " -> " + result->schema->ToString());
    auto rows = EncodeAll(*result, Form::kObject);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(*rows, reference);
  }
  // The settings above must have changed the layouts, or this test proves nothing.
  auto result = db_.Query(query);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->schema->field(1)->type()->id(), arrow::Type::LARGE_STRING);
  EXPECT_EQ(result->schema->field(2)->type()->id(), arrow::Type::LARGE_LIST_VIEW);
}

TEST_F(JsonWriterTest, SlicedBatchesHonourOffsets) {
  auto result = db_.Query(
      "SELECT i, 'row' || i AS s, [i, NULL, i + 1] AS l, {'k': i, 'v': 'v' || i} AS st, "
      "MAP {'key' || i: i} AS m, (['sad', 'ok', 'happy'])[i % 3 + 1]::mood AS e, "
      "CASE WHEN i % 2 = 0 THEN union_value(n := i::INTEGER)::UNION(n INTEGER, s VARCHAR) "
      "     ELSE union_value(s := 'u' || i)::UNION(n INTEGER, s VARCHAR) END AS u, "
      "[[i::INTEGER, i::INTEGER]::INTEGER[2]] AS fl, "
      "CASE WHEN i % 4 = 0 THEN NULL ELSE '{\"i\":' || i || '}' END::JSON AS j "
      "FROM range(2500) t(i)");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  auto encoder = JsonRowEncoder::Make(result->schema);
  ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
  const auto& batch = result->batches.at(0);
  for (int64_t offset : {1, 3, 7, 100}) {
    auto slice = batch->Slice(offset);
    for (int64_t row = 0; row < 20; ++row) {
      std::string expected, actual;
      (*encoder)->AppendRowObject(*batch, offset + row, &expected);
      (*encoder)->AppendRowObject(*slice, row, &actual);
      ASSERT_EQ(actual, expected) << "offset " << offset << " row " << row;
    }
  }
  std::string row5;
  (*encoder)->AppendRowObject(*batch, 5, &row5);
  EXPECT_EQ(row5, R"({"i":5,"s":"row5","l":[5,null,6],"st":{"k":5,"v":"v5"},"m":{"key5":5},)"
                  R"("e":"happy","u":"u5","fl":[[5,5]],"j":{"i":5}})");
}

/// Random strings over control characters, ASCII, 2-, 3- and 4-byte UTF-8, and random
/// numbers and nesting, checked against DuckDB's own to_json of the same values.
TEST_F(JsonWriterTest, RandomizedRowsAreValidJsonAndMatchDuckDbToJson) {
  const std::string characters =
      "chr((CASE WHEN r < 0.15 THEN floor(r * 200) WHEN r < 0.6 THEN 32 + floor(r * 1000) % 95 "
      "WHEN r < 0.8 THEN 128 + floor(r * 100000) % 2000 WHEN r < 0.95 THEN 12288 + "
      "floor(r * 100000) % 1000 ELSE 128512 + floor(r * 100000) % 80 END)::INTEGER)";
  ASSERT_OK(db_.Execute("SELECT setseed(0.25)"));
  ASSERT_OK(db_.Execute(
      "CREATE TABLE random_rows AS SELECT i, "
      "(random() * 1e18)::BIGINT * (CASE WHEN random() < 0.5 THEN -1 ELSE 1 END) AS n, "
      "list_transform(range((random() * 5)::INTEGER), x -> (random() * 1000)::INTEGER) AS ints, "
      "random() * 1e6 - 5e5 AS d FROM range(5000) t(i)"));
  ASSERT_OK(db_.Execute(
      "CREATE TABLE random_strings AS SELECT i, n, ints, d, "
      "CASE WHEN i % 10 = 0 THEN NULL ELSE array_to_string(list_transform("
      "  list_transform(range(i % 37), x -> random()), r -> " + characters + "), '') END AS s, "
      "{'s': array_to_string(list_transform(list_transform(range(i % 5), x -> random()), "
      "  r -> " + characters + "), ''), 'n': n} AS st FROM random_rows"));

  auto ours = db_.Query("SELECT i, n, ints, d, s, st FROM random_strings ORDER BY i");
  auto theirs = db_.Query(
      "SELECT to_json({'i': i, 'n': n, 'ints': ints, 'd': d, 's': s, 'st': st})::VARCHAR "
      "FROM random_strings ORDER BY i");
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();
  ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();
  auto rows = EncodeAll(*ours, Form::kObject);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 5000u);
  ASSERT_GT(ours->batches.size(), 1u);

  size_t next = 0;
  size_t escaped_rows = 0;
  for (const auto& batch : theirs->batches) {
    const auto& reference = static_cast<const arrow::StringArray&>(*batch->column(0));
    for (int64_t k = 0; k < reference.length(); ++k, ++next) {
      const std::string& row = (*rows)[next];
      ASSERT_TRUE(nlohmann::json::accept(row)) << row;
      auto parsed = nlohmann::json::parse(row);
      auto expected = nlohmann::json::parse(reference.GetView(k));
      ASSERT_EQ(parsed, expected) << row << "\nvs\n" << reference.GetView(k);
      if (row.find("\\u00") != std::string::npos) ++escaped_rows;
    }
  }
  EXPECT_EQ(next, rows->size());
  EXPECT_GT(escaped_rows, 100u);  // the data really exercised control-character escapes
}

TEST(JsonRowEncoderMakeTest, FailsClearlyForUnsupportedTypes) {
  auto schema = arrow::schema(
      {arrow::field("ok", arrow::int32()),
       arrow::field("runs", arrow::run_end_encoded(arrow::int32(), arrow::utf8()))});
  auto encoder = JsonRowEncoder::Make(schema);
  ASSERT_FALSE(encoder.ok());
  EXPECT_TRUE(encoder.status().IsNotImplemented()) << encoder.status().ToString();
  EXPECT_NE(encoder.status().message().find("'runs'"), std::string::npos);
  EXPECT_NE(encoder.status().message().find("run_end_encoded"), std::string::npos);

  auto nested = arrow::schema({arrow::field(
      "outer", arrow::struct_({arrow::field(
                   "inner", arrow::list(arrow::run_end_encoded(arrow::int16(), arrow::int8())))}))});
  encoder = JsonRowEncoder::Make(nested);
  ASSERT_FALSE(encoder.ok());
  EXPECT_NE(encoder.status().message().find("'outer.inner[]'"), std::string::npos)
      << encoder.status().ToString();

  encoder = JsonRowEncoder::Make(arrow::schema({arrow::field("half", arrow::float16())}));
  ASSERT_FALSE(encoder.ok());
  EXPECT_EQ(encoder.status().ToString(),
            "NotImplemented: JSON encoding of column 'half' of type halffloat is not supported");
}

/// Types DuckDB does not produce but Arrow producers can.
TEST(JsonRowEncoderArrowTest, OtherArrowTypes) {
  struct Case {
    std::shared_ptr<arrow::DataType> type;
    std::string values;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {arrow::date64(), "[-86400000, 1000]", R"(["1969-12-31","1970-01-01"])"},
      {arrow::time32(arrow::TimeUnit::MILLI), "[3723004, 0]", R"(["01:02:03.004","00:00:00"])"},
      {arrow::time32(arrow::TimeUnit::SECOND), "[86399]", R"(["23:59:59"])"},
      {arrow::duration(arrow::TimeUnit::MILLI), "[90061500, -1500, 0]",
       R"(["PT90061.5S","PT-1.5S","PT0S"])"},
      {arrow::timestamp(arrow::TimeUnit::SECOND, "America/New_York"), "[-1]",
       R"(["1969-12-31T23:59:59Z"])"},
      {arrow::decimal256(60, 5), R"(["-123456789012345678901234567890123456789012345678901.23456"])",
       "[-123456789012345678901234567890123456789012345678901.23456]"},
      {arrow::decimal64(10, 3), R"(["-1.250"])", "[-1.250]"},
      {arrow::decimal32(5, 2), R"(["-1.25", "0.05"])", "[-1.25,0.05]"},
      {arrow::month_interval(), "[14, -1]", R"(["P1Y2M","P-1M"])"},
      {arrow::day_time_interval(), "[[1, 1500]]", R"(["P1DT1.5S"])"},
      {arrow::fixed_size_binary(3), R"(["abc"])", R"(["YWJj"])"},
      {arrow::large_list_view(arrow::int8()), "[[1, 2], null, []]", "[[1,2],null,[]]"},
      {arrow::binary_view(), R"(["a much longer value than twelve bytes"])",
       R"(["YSBtdWNoIGxvbmdlciB2YWx1ZSB0aGFuIHR3ZWx2ZSBieXRlcw=="])"},
      {arrow::dense_union({arrow::field("i", arrow::int32()), arrow::field("s", arrow::utf8())},
                          {5, 9}),
       R"([[5, 1], [9, "x"], [5, null]])", R"([1,"x",null])"},
      {arrow::map(arrow::int32(), arrow::boolean()), "[[[1, true]], []]",
       R"([[{"key":1,"value":true}],[]])"},
      {arrow::null(), "[null]", "[null]"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.type->ToString());
    auto array = arrow::json::ArrayFromJSONString(c.type, c.values);
    ASSERT_TRUE(array.ok()) << array.status().ToString();
    auto schema = arrow::schema({arrow::field("v", c.type)});
    auto batch = arrow::RecordBatch::Make(schema, (*array)->length(), {*array});
    auto encoder = JsonRowEncoder::Make(schema);
    ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
    std::string out = "[";
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      if (row != 0) out += ",";
      std::string one;
      (*encoder)->AppendRowArray(*batch, row, &one);
      out += one.substr(1, one.size() - 2);
    }
    EXPECT_EQ(out + "]", c.expected);
  }
}

TEST(JsonRowEncoderArrowTest, DictionaryAndUnregisteredExtensionMetadata) {
  auto dict_type = arrow::dictionary(arrow::int16(), arrow::utf8());
  auto dict = arrow::json::DictArrayFromJSONString(dict_type, "[1, null, 0]", R"(["a", "b"])");
  ASSERT_TRUE(dict.ok()) << dict.status().ToString();
  // Extension types the process has not registered arrive as storage plus field metadata.
  auto json_field = arrow::field("j", arrow::utf8())->WithMetadata(arrow::key_value_metadata(
      {"ARROW:extension:name", "ARROW:extension:metadata"}, {"arrow.json", ""}));
  auto uuid_field = arrow::field("u", arrow::fixed_size_binary(16))
                        ->WithMetadata(arrow::key_value_metadata({"ARROW:extension:name"}, {"arrow.uuid"}));
  auto json = arrow::json::ArrayFromJSONString(arrow::utf8(), R"(["[1,{\"a\":2}]", "", null])");
  arrow::FixedSizeBinaryBuilder uuid_builder(arrow::fixed_size_binary(16));
  ASSERT_OK(uuid_builder.Append(std::string("\x12\x3e\x45\x67\xe8\x9b\x12\xd3\xa4\x56\x42\x66\x14\x17\x40\x00", 16)));
  ASSERT_OK(uuid_builder.AppendNulls(2));
  auto uuid = uuid_builder.Finish();
  ASSERT_TRUE(json.ok() && uuid.ok());
  auto schema = arrow::schema({arrow::field("d", dict_type), json_field, uuid_field});
  auto batch = arrow::RecordBatch::Make(schema, 3, {*dict, *json, *uuid});
  auto encoder = JsonRowEncoder::Make(schema);
  ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
  std::vector<std::string> rows(3);
  for (int64_t row = 0; row < 3; ++row) (*encoder)->AppendRowObject(*batch, row, &rows[row]);
  EXPECT_EQ(rows[0], R"({"d":"b","j":[1,{"a":2}],"u":"123e4567-e89b-12d3-a456-426614174000"})");
  EXPECT_EQ(rows[1], R"({"d":null,"j":null,"u":null})");
  EXPECT_EQ(rows[2], R"({"d":"a","j":null,"u":null})");
}

TEST(AppendJsonStringTest, EscapesAndReplacesInvalidUtf8) {
  auto encode = [](std::string_view s) {
    std::string out;
    AppendJsonString(s, &out);
    return out;
  };
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(encode(""), "\"\"");
  EXPECT_EQ(encode(std::string_view("a\0b", 3)), "\"a\\u0000b\"");
  EXPECT_EQ(encode("\xFF"), "\"" + fffd + "\"");
  EXPECT_EQ(encode("a\xC3"), "\"a" + fffd + "\"");              // truncated 2-byte
  EXPECT_EQ(encode("\xE2\x82z"), "\"" + fffd + "z\"");          // truncated 3-byte: one U+FFFD
  EXPECT_EQ(encode("\xC0\xAF"), "\"" + fffd + fffd + "\"");     // overlong
  EXPECT_EQ(encode("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"");  // surrogate
  EXPECT_EQ(encode("\xF4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
  EXPECT_EQ(encode("\xF0\x9F\x98\x80 \xE2\x82\xAC \xC3\xA9"), "\"\xF0\x9F\x98\x80 \xE2\x82\xAC \xC3\xA9\"");
  // Long clean runs take the 8-byte path; the special byte must still be found after them.
  EXPECT_EQ(encode("0123456789abcdef\"0123456789abcdef\x01"),
            "\"0123456789abcdef\\\"0123456789abcdef\\u0001\"");
  EXPECT_EQ(encode("0123456789abcdef\xFF" "0123456789abcdef"),
            "\"0123456789abcdef" + fffd + "0123456789abcdef\"");
  EXPECT_EQ(encode("01234567\\"), "\"01234567\\\\\"");
}

}  // namespace
}  // namespace homer::http
