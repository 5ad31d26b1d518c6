#include "flight/filter_sql.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "duckdb/database.h"
#include "testing/lake_fixture.h"

namespace homer::flight {
namespace {

using Json = nlohmann::json;

const std::vector<std::string> kColumns = {"a", "s", "ts", "d", "u"};

Json Type(const std::string& id, Json info = nullptr) { return {{"id", id}, {"type_info", info}}; }

Json Col(int index, const std::string& type = "INTEGER") {
  return {{"expression_class", "BOUND_COLUMN_REF"}, {"type", "BOUND_COLUMN_REF"}, {"alias", ""},
          {"return_type", Type(type)}, {"binding", {{"table_index", 0}, {"column_index", index}}}, {"depth", 0}};
}

Json Const(const Json& type, const Json& value) {
  return {{"expression_class", "BOUND_CONSTANT"}, {"type", "VALUE_CONSTANT"},
          {"value", {{"type", type}, {"is_null", false}, {"value", value}}}};
}

Json Cmp(const std::string& op, Json l, Json r) {
  return {{"expression_class", "BOUND_COMPARISON"}, {"type", "COMPARE_" + op}, {"left", l}, {"right", r}};
}

Json Conj(const std::string& kind, std::vector<Json> children) {
  return {{"expression_class", "BOUND_CONJUNCTION"}, {"type", "CONJUNCTION_" + kind}, {"children", children}};
}

Json Op(const std::string& type, std::vector<Json> children) {
  return {{"expression_class", "BOUND_OPERATOR"}, {"type", type}, {"children", children}};
}

Json Func(const std::string& name, std::vector<Json> children) {
  return {{"expression_class", "BOUND_FUNCTION"}, {"type", "BOUND_FUNCTION"}, {"name", name}, {"children", children}};
}

/// json_filters for scans whose DuckDB column ids map to these names.
std::string Filters(std::vector<Json> filters, std::vector<std::string> names = {"a", "s", "ts", "d", "u"}) {
  return Json{{"filters", filters}, {"column_binding_names_by_index", names}}.dump();
}

std::string Translate(std::vector<Json> filters) { return FiltersToSql(Filters(std::move(filters)), kColumns); }

TEST(FilterSql, NothingUnderstoodIsNoCondition) {
  EXPECT_EQ(FiltersToSql("", kColumns), "");
  EXPECT_EQ(FiltersToSql("not json", kColumns), "");
  EXPECT_EQ(FiltersToSql("{\"filters\": 3}", kColumns), "");
  EXPECT_EQ(Translate({}), "");
  EXPECT_EQ(Translate({Func("prefix", {Col(1, "VARCHAR"), Const(Type("VARCHAR"), "x")})}), "");
  EXPECT_EQ(Translate({Op("OPERATOR_NOT", {Col(0)})}), "");
}

TEST(FilterSql, Comparisons) {
  EXPECT_EQ(Translate({Cmp("EQUAL", Col(0), Const(Type("INTEGER"), 5))}), "(\"a\" = CAST(5 AS INTEGER))");
  EXPECT_EQ(Translate({Cmp("GREATERTHANOREQUALTO", Const(Type("INTEGER"), -5), Col(0))}),
            "(CAST(-5 AS INTEGER) >= \"a\")");
  EXPECT_EQ(Translate({Cmp("DISTINCT_FROM", Col(1, "VARCHAR"), Const(Type("VARCHAR"), "it's"))}),
            "(\"s\" IS DISTINCT FROM 'it''s')");
  // Top-level filters are ANDed.
  EXPECT_EQ(Translate({Cmp("LESSTHAN", Col(0), Const(Type("INTEGER"), 1)), Cmp("NOTEQUAL", Col(0), Const(Type("INTEGER"), 0))}),
            "(\"a\" < CAST(1 AS INTEGER)) AND (\"a\" <> CAST(0 AS INTEGER))");
}

TEST(FilterSql, AndKeepsWhatItUnderstandsOrNeedsEverything) {
  auto known = Cmp("EQUAL", Col(0), Const(Type("INTEGER"), 1));
  auto unknown = Func("contains", {Col(1, "VARCHAR"), Const(Type("VARCHAR"), "x")});
  EXPECT_EQ(Translate({Conj("AND", {known, unknown})}), "((\"a\" = CAST(1 AS INTEGER)))");
  EXPECT_EQ(Translate({Conj("OR", {known, unknown})}), "");
  EXPECT_EQ(Translate({Conj("OR", {known, Conj("AND", {unknown, known})})}),
            "((\"a\" = CAST(1 AS INTEGER)) OR ((\"a\" = CAST(1 AS INTEGER))))");
  EXPECT_EQ(Translate({Conj("AND", {unknown})}), "");
}

TEST(FilterSql, InBetweenNulls) {
  EXPECT_EQ(Translate({Op("COMPARE_IN", {Col(0), Const(Type("INTEGER"), 1), Const(Type("INTEGER"), 2)})}),
            "(\"a\" IN (CAST(1 AS INTEGER), CAST(2 AS INTEGER)))");
  EXPECT_EQ(Translate({Op("COMPARE_NOT_IN", {Col(0), Const(Type("INTEGER"), 1)})}),
            "(\"a\" NOT IN (CAST(1 AS INTEGER)))");
  EXPECT_EQ(Translate({Op("COMPARE_IN", {Col(0), Const(Type("INTERVAL"), Json::object())})}), "");
  EXPECT_EQ(Translate({Op("OPERATOR_IS_NULL", {Col(1)})}), "(\"s\" IS NULL)");
  EXPECT_EQ(Translate({Op("OPERATOR_IS_NOT_NULL", {Col(1)})}), "(\"s\" IS NOT NULL)");
  Json between = {{"expression_class", "BOUND_BETWEEN"}, {"type", "COMPARE_BETWEEN"}, {"input", Col(0)},
                  {"lower", Const(Type("INTEGER"), 1)}, {"upper", Const(Type("INTEGER"), 9)},
                  {"lower_inclusive", true}, {"upper_inclusive", false}};
  EXPECT_EQ(Translate({between}), "(\"a\" >= CAST(1 AS INTEGER) AND \"a\" < CAST(9 AS INTEGER))");
}

TEST(FilterSql, OnlyColumnsOfTheTable) {
  auto eq = [](Json col) { return Cmp("EQUAL", col, Const(Type("BIGINT"), 1)); };
  EXPECT_EQ(FiltersToSql(Filters({eq(Col(0))}, {"rowid"}), kColumns), "");   // the rowid
  EXPECT_EQ(FiltersToSql(Filters({eq(Col(0))}, {"zz"}), kColumns), "");      // not a column
  EXPECT_EQ(FiltersToSql(Filters({eq(Col(7))}, {"a"}), kColumns), "");       // index out of range
  Json outer = Col(0);
  outer["depth"] = 1;  // a correlated outer column
  EXPECT_EQ(Translate({eq(outer)}), "");
  // Casts of columns keep their exact meaning.
  Json cast = {{"expression_class", "BOUND_CAST"}, {"child", Col(0)}, {"return_type", Type("BIGINT")},
               {"try_cast", true}};
  EXPECT_EQ(Translate({eq(cast)}), "(TRY_CAST(\"a\" AS BIGINT) = CAST(1 AS BIGINT))");
}

TEST(FilterSql, TypesWithOtherSemanticsAreLeftAlone) {
  Json json_type = Type("VARCHAR", {{"type", "STRING_TYPE_INFO"}, {"alias", "JSON"}, {"collation", ""}});
  EXPECT_EQ(Translate({Cmp("EQUAL", Col(1), Const(json_type, "{}"))}), "");
  Json nocase = Type("VARCHAR", {{"type", "STRING_TYPE_INFO"}, {"alias", ""}, {"collation", "nocase"}});
  EXPECT_EQ(Translate({Cmp("EQUAL", Col(1), Const(nocase, "x"))}), "");
  // DuckDB's infinite timestamp has no exact rendering here.
  EXPECT_EQ(Translate({Cmp("LESSTHAN", Col(2), Const(Type("TIMESTAMP"), INT64_MAX))}), "");
  Json string_base64 = {{"base64", "AA=="}};
  EXPECT_EQ(Translate({Cmp("EQUAL", Col(1), Const(Type("VARCHAR"), string_base64))}), "");
}

/// The value DuckDB computes for a rendered constant, as text.
class ConstantValues : public ::testing::Test {
 protected:
  void SetUp() override {
    duckdb::DatabaseOptions options;
    options.extension_dir = testing::ExtensionDir();
    options.extensions = {};
    db_ = std::move(*duckdb::OpenDatabase(options));
    con_ = std::move(*duckdb::Connect(db_));
    ASSERT_TRUE(duckdb::Exec(con_, "SET TimeZone = 'UTC'").ok());
  }

  std::string Value(const Json& type, const Json& value) {
    const std::string sql = Translate({Cmp("EQUAL", Col(0), Const(type, value))});
    const std::string prefix = "(\"a\" = ";
    EXPECT_EQ(sql.rfind(prefix, 0), 0u) << sql;
    if (sql.empty()) return "<not rendered>";
    const std::string expr = sql.substr(prefix.size(), sql.size() - prefix.size() - 1);
    auto rows = duckdb::QueryRows(con_, "SELECT CAST(" + expr + " AS VARCHAR), typeof(" + expr + ")");
    EXPECT_TRUE(rows.ok()) << expr << ": " << rows.status();
    return rows.ok() ? (*rows)[0][0] + " " + (*rows)[0][1] : "<error>";
  }

  duckdb::Database db_;
  duckdb::Connection con_;
};

TEST_F(ConstantValues, RenderedExactly) {
  EXPECT_EQ(Value(Type("BOOLEAN"), true), "true BOOLEAN");
  EXPECT_EQ(Value(Type("UBIGINT"), Json(UINT64_MAX)), "18446744073709551615 UBIGINT");
  EXPECT_EQ(Value(Type("BIGINT"), Json(INT64_MIN)), "-9223372036854775808 BIGINT");
  EXPECT_EQ(Value(Type("HUGEINT"), Json{{"upper", -1}, {"lower", 0}}), "-18446744073709551616 HUGEINT");
  EXPECT_EQ(Value(Type("UHUGEINT"), Json{{"upper", 1}, {"lower", 1}}), "18446744073709551617 UHUGEINT");
  EXPECT_EQ(Value(Type("FLOAT"), 0.1f), "0.1 FLOAT");
  EXPECT_EQ(Value(Type("DOUBLE"), 0.1), "0.1 DOUBLE");
  Json dec = {{"type", "DECIMAL_TYPE_INFO"}, {"alias", ""}, {"width", 18}, {"scale", 3}};
  EXPECT_EQ(Value(Type("DECIMAL", dec), -5), "-0.005 DECIMAL(18,3)");
  Json wide = {{"type", "DECIMAL_TYPE_INFO"}, {"alias", ""}, {"width", 38}, {"scale", 2}};
  EXPECT_EQ(Value(Type("DECIMAL", wide), Json{{"upper", 0}, {"lower", UINT64_MAX}}),
            "184467440737095516.15 DECIMAL(38,2)");
  EXPECT_EQ(Value(Type("DATE"), -1), "1969-12-31 DATE");
  EXPECT_EQ(Value(Type("TIME"), 3723000001LL), "01:02:03.000001 TIME");
  EXPECT_EQ(Value(Type("TIMESTAMP"), 1764147600123456LL), "2025-11-26 09:00:00.123456 TIMESTAMP");
  EXPECT_EQ(Value(Type("TIMESTAMP WITH TIME ZONE"), 1LL), "1970-01-01 00:00:00.000001+00 TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(Value(Type("TIMESTAMP_NS"), 1LL), "1970-01-01 00:00:00.000000001 TIMESTAMP_NS");
  EXPECT_EQ(Value(Type("TIMESTAMP_MS"), 1001LL), "1970-01-01 00:00:01.001 TIMESTAMP_MS");
  EXPECT_EQ(Value(Type("TIMESTAMP_S"), -1LL), "1969-12-31 23:59:59 TIMESTAMP_S");
  // UUID a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11, stored with the top bit flipped.
  EXPECT_EQ(Value(Type("UUID"), Json{{"upper", 0x20eebc999c0b4ef8LL}, {"lower", 0xbb6d6bb9bd380a11ULL}}),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 UUID");
  EXPECT_EQ(Value(Type("BLOB"), "a\x01"), "a\\x01 BLOB");
  EXPECT_EQ(Value(Type("VARCHAR"), "l'été"), "l'été VARCHAR");
}

}  // namespace
}  // namespace homer::flight
