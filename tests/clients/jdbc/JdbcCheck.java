// A real JDBC client for homer-node's Flight SQL endpoint: the Apache Arrow Flight SQL JDBC driver
// (org.apache.arrow:flight-sql-jdbc-driver, fetched by scripts/bootstrap.sh) exercised the way a
// JDBC tool (DBeaver, a BI tool, a Java service) does. It prints one JSON report on stdout; the
// pytest test (tests/integration/test_flightsql_jdbc.py) asserts its exact values. Every call is
// recorded either as its result or as {"error": {...}} with the exception chain, so one failing call
// does not hide the others; stack traces also go to stderr.
//
//   java --add-opens=java.base/java.nio=ALL-UNNAMED -cp <classes>:<driver jar> JdbcCheck \
//        HOST PORT USER PASSWORD SECTION...
//
// Sections: connect_basic, connect_basic_url, connect_token, wrong_password, wrong_token,
// catalogs, columns, type_info, database_info, statement, unsigned, prepared. PASSWORD is the
// node's token (Basic handshake, user/password); connect_token also sends it as `token=` (Bearer).

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.JDBCType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

public final class JdbcCheck {
  private final String host;
  private final int port;
  private final String user;
  private final String password;

  private JdbcCheck(String host, int port, String user, String password) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
  }

  interface Call {
    Object run() throws Exception;
  }

  /** The call's result, or {"error": ...} with the exception chain (stack trace to stderr). */
  static Object attempt(String label, Call call) {
    long start = System.nanoTime();
    try {
      return call.run();
    } catch (Throwable t) {
      StringWriter sw = new StringWriter();
      t.printStackTrace(new PrintWriter(sw));
      System.err.println("=== " + label + " failed:");
      System.err.println(sw);
      Map<String, Object> err = new LinkedHashMap<>();
      err.put("class", t.getClass().getName());
      err.put("message", String.valueOf(t.getMessage()));
      List<String> causes = new ArrayList<>();
      for (Throwable c = t.getCause(); c != null && causes.size() < 10; c = c.getCause()) {
        causes.add(c.getClass().getName() + ": " + c.getMessage());
      }
      err.put("causes", causes);
      if (t instanceof SQLException) {
        err.put("sql_state", ((SQLException) t).getSQLState());
      }
      err.put("ms", (System.nanoTime() - start) / 1_000_000);
      Map<String, Object> wrapped = new LinkedHashMap<>();
      wrapped.put("error", err);
      return wrapped;
    }
  }

  String baseUrl() {
    return "jdbc:arrow-flight-sql://" + host + ":" + port + "?useEncryption=false";
  }

  Connection connectBasic(String pw) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", pw);
    return DriverManager.getConnection(baseUrl(), p);
  }

  Connection connectBasicUrl(String pw) throws SQLException {
    return DriverManager.getConnection(baseUrl() + "&user=" + user + "&password=" + pw);
  }

  Connection connectToken(String token) throws SQLException {
    return DriverManager.getConnection(baseUrl() + "&token=" + token);
  }

  // --- result sets as JSON values ---------------------------------------------------------------
  static Object value(Object v) {
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Integer
        || v instanceof Long || v instanceof Short || v instanceof Byte || v instanceof Double
        || v instanceof Float || v instanceof BigDecimal || v instanceof java.math.BigInteger) {
      return v;
    }
    if (v instanceof byte[]) {
      return java.util.Base64.getEncoder().encodeToString((byte[]) v);
    }
    return v.toString();
  }

  /** The result's columns (label, JDBC type name, database type name, Java class). */
  static List<Object> columns(ResultSetMetaData md) throws SQLException {
    List<Object> cols = new ArrayList<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("label", md.getColumnLabel(i));
      c.put("jdbc_type", jdbcTypeName(md.getColumnType(i)));
      c.put("type_name", md.getColumnTypeName(i));
      c.put("class", md.getColumnClassName(i));
      cols.add(c);
    }
    return cols;
  }

  static String jdbcTypeName(int type) {
    try {
      return JDBCType.valueOf(type).getName();
    } catch (IllegalArgumentException e) {
      return "UNKNOWN(" + type + ")";
    }
  }

  /** Rows as lists of getObject values; each value's Java class in "classes" (first row). */
  static Map<String, Object> read(ResultSet rs) throws SQLException {
    Map<String, Object> out = new LinkedHashMap<>();
    ResultSetMetaData md = rs.getMetaData();
    out.put("columns", columns(md));
    List<Object> rows = new ArrayList<>();
    List<Object> classes = null;
    while (rs.next()) {
      List<Object> row = new ArrayList<>();
      List<Object> cls = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        Object v = rs.getObject(i);
        row.add(value(v));
        cls.add(v == null ? null : v.getClass().getName());
      }
      rows.add(row);
      if (classes == null) {
        classes = cls;
      }
    }
    out.put("rows", rows);
    out.put("classes", classes);
    return out;
  }

  /** Selected string columns of a metadata result set, row by row. */
  static List<Object> pick(ResultSet rs, String... labels) throws SQLException {
    List<Object> rows = new ArrayList<>();
    try (rs) {
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (String l : labels) {
          row.add(value(rs.getObject(l)));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  static Object selectOne(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 AS one")) {
      return read(rs).get("rows");
    }
  }

  // --- sections ---------------------------------------------------------------------------------
  Object connect(Call open) throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    try (Connection c = (Connection) open.run()) {
      out.put("select_1", attempt("SELECT 1", () -> selectOne(c)));
      out.put("count_cold", attempt("SELECT count(*) of a volume", () -> {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
            "SELECT count(*) AS n FROM homer_lake_cold.main.hep_proto_1_call")) {
          return read(rs).get("rows");
        }
      }));
    }
    return out;
  }

  Object refused(Call open) {
    Map<String, Object> out = new LinkedHashMap<>();
    try (Connection c = (Connection) open.run()) {
      // Some drivers connect lazily; the first query must then be refused.
      out.put("connected", true);
      out.put("select_1", attempt("SELECT 1 with wrong credentials", () -> selectOne(c)));
    } catch (SQLException e) {
      out.put("sql_exception", true);
      out.put("message", String.valueOf(e.getMessage()));
      List<String> causes = new ArrayList<>();
      for (Throwable t = e.getCause(); t != null && causes.size() < 10; t = t.getCause()) {
        causes.add(t.getClass().getName() + ": " + t.getMessage());
      }
      out.put("causes", causes);
    } catch (Throwable t) {
      out.put("sql_exception", false);
      out.put("other_exception", t.getClass().getName() + ": " + t.getMessage());
    }
    return out;
  }

  /** A write: executeUpdate of a prepared INSERT, which the node must refuse. */
  Object update() throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    try (Connection c = connectBasic(password)) {
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO homer_lake_hot.main.hep_proto_1_call (uuid) VALUES ('x')")) {
        out.put("prepared", true);
        out.put("updated", ps.executeUpdate());
      } catch (SQLException e) {
        out.put("sql_exception", true);
        out.put("message", String.valueOf(e.getMessage()));
      }
      out.put("count_after", attempt("count after the refused write", () -> {
        try (Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT count(*) AS n FROM homer_lake_hot.main.hep_proto_1_call")) {
          return read(rs).get("rows");
        }
      }));
    }
    return out;
  }

  Object catalogs() throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    try (Connection c = connectBasic(password)) {
      DatabaseMetaData md = c.getMetaData();
      out.put("catalogs", attempt("getCatalogs", () -> pick(md.getCatalogs(), "TABLE_CAT")));
      out.put("schemas", attempt("getSchemas()",
          () -> pick(md.getSchemas(), "TABLE_CATALOG", "TABLE_SCHEM")));
      out.put("schemas_of_cold", attempt("getSchemas(homer_lake_cold, %)",
          () -> pick(md.getSchemas("homer_lake_cold", "%"), "TABLE_CATALOG", "TABLE_SCHEM")));
      out.put("table_types", attempt("getTableTypes", () -> pick(md.getTableTypes(), "TABLE_TYPE")));
      out.put("tables_all", attempt("getTables(null, null, %, null)", () -> pick(
          md.getTables(null, null, "%", null), "TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME",
          "TABLE_TYPE")));
      Map<String, Object> perCatalog = new LinkedHashMap<>();
      for (String cat : List.of("homer_lake", "homer_lake_hot", "homer_lake_cold")) {
        perCatalog.put(cat, attempt("getTables(" + cat + ", main, %, null)", () -> pick(
            md.getTables(cat, "main", "%", null), "TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME",
            "TABLE_TYPE")));
      }
      out.put("tables", perCatalog);
      out.put("tables_of_type", attempt("getTables(homer_lake, main, hep%, [BASE TABLE])",
          () -> pick(md.getTables("homer_lake", "main", "hep%", new String[] {"BASE TABLE"}),
              "TABLE_NAME")));
      out.put("primary_keys", attempt("getPrimaryKeys", () -> pick(
          md.getPrimaryKeys("homer_lake_hot", "main", "hep_proto_1_call"), "COLUMN_NAME")));
    }
    return out;
  }

  Object columns() throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    try (Connection c = connectBasic(password)) {
      DatabaseMetaData md = c.getMetaData();
      for (String cat : List.of("homer_lake_hot", "homer_lake")) {
        out.put(cat, attempt("getColumns(" + cat + ", main, hep_proto_1_call, %)", () -> {
          List<Object> rows = new ArrayList<>();
          try (ResultSet rs = md.getColumns(cat, "main", "hep_proto_1_call", "%")) {
            while (rs.next()) {
              Map<String, Object> col = new LinkedHashMap<>();
              col.put("name", rs.getString("COLUMN_NAME"));
              col.put("type_name", rs.getString("TYPE_NAME"));
              col.put("jdbc_type", jdbcTypeName(rs.getInt("DATA_TYPE")));
              col.put("ordinal", rs.getInt("ORDINAL_POSITION"));
              col.put("is_nullable", rs.getString("IS_NULLABLE"));
              rows.add(col);
            }
          }
          return rows;
        }));
      }
      out.put("one_column", attempt("getColumns(homer_lake_cold, main, hep_proto_100%, payload)",
          () -> pick(md.getColumns("homer_lake_cold", "main", "hep_proto_100%", "payload"),
              "TABLE_NAME", "COLUMN_NAME", "TYPE_NAME")));
    }
    return out;
  }

  Object typeInfo() throws Exception {
    try (Connection c = connectBasic(password)) {
      List<Object> rows = new ArrayList<>();
      try (ResultSet rs = c.getMetaData().getTypeInfo()) {
        while (rs.next()) {
          rows.add(List.of(rs.getString("TYPE_NAME"), jdbcTypeName(rs.getInt("DATA_TYPE"))));
        }
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("count", rows.size());
      out.put("types", rows);
      return out;
    }
  }

  Object databaseInfo() throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    try (Connection c = connectBasic(password)) {
      DatabaseMetaData md = c.getMetaData();
      out.put("driver", attempt("getDriverName/getDriverVersion",
          () -> List.of(md.getDriverName(), md.getDriverVersion())));
      out.put("getters", attempt("DatabaseMetaData getters", () -> sqlInfo(md)));
      Map<String, Object> withArgs = new LinkedHashMap<>();
      withArgs.put("supportsConvert(INTEGER, BIGINT)", attempt("supportsConvert(int, int)",
          () -> md.supportsConvert(java.sql.Types.INTEGER, java.sql.Types.BIGINT)));
      withArgs.put("supportsResultSetType(FORWARD_ONLY)", attempt("supportsResultSetType",
          () -> md.supportsResultSetType(ResultSet.TYPE_FORWARD_ONLY)));
      withArgs.put("supportsResultSetConcurrency(FORWARD_ONLY, READ_ONLY)",
          attempt("supportsResultSetConcurrency", () -> md.supportsResultSetConcurrency(
              ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)));
      withArgs.put("supportsTransactionIsolationLevel(NONE)",
          attempt("supportsTransactionIsolationLevel", () -> md.supportsTransactionIsolationLevel(
              Connection.TRANSACTION_NONE)));
      out.put("with_arguments", withArgs);
    }
    return out;
  }

  /**
   * Every no-argument getter the driver implements itself on DatabaseMetaData (all but a few are
   * answered from one GetSqlInfo call, each casting the union arm it expects), by name.
   */
  static Object sqlInfo(DatabaseMetaData md) throws Exception {
    Map<String, Object> out = new java.util.TreeMap<>();
    for (java.lang.reflect.Method m : md.getClass().getDeclaredMethods()) {
      Class<?> r = m.getReturnType();
      if (m.getParameterCount() != 0 || !java.lang.reflect.Modifier.isPublic(m.getModifiers())
          || !(r == boolean.class || r == int.class || r == long.class || r == String.class)) {
        continue;
      }
      out.put(m.getName(), attempt("DatabaseMetaData." + m.getName(), () -> {
        try {
          return m.invoke(md);
        } catch (java.lang.reflect.InvocationTargetException e) {
          throw (Exception) e.getCause();
        }
      }));
    }
    return out;
  }

  Object statement() throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    try (Connection c = connectBasic(password)) {
      out.put("select", attempt("Statement SELECT", () -> {
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery(
                "SELECT uuid, method, date, timestamp, storage_volume, src_port "
                    + "FROM homer_lake.main.hep_proto_1_call ORDER BY uuid")) {
          return read(rs);
        }
      }));
      out.put("execute_and_count", attempt("Statement execute + getResultSet", () -> {
        try (Statement s = c.createStatement()) {
          boolean hasRs = s.execute(
              "SELECT storage_volume, count(*) AS n FROM homer_lake.main.hep_proto_1_call "
                  + "GROUP BY ALL ORDER BY storage_volume");
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("has_result_set", hasRs);
          try (ResultSet rs = s.getResultSet()) {
            r.put("result", read(rs));
          }
          return r;
        }
      }));
      out.put("bad_sql", attempt("Statement with an unknown table", () -> {
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT * FROM homer_lake.main.no_such_table")) {
          return read(rs);
        }
      }));
      out.put("after_error", attempt("SELECT 1 after an error", () -> selectOne(c)));
    }
    return out;
  }

  /** A UINTEGER column read with getObject, getLong and getString (values above INT_MAX). */
  Object unsigned() throws Exception {
    try (Connection c = connectBasic(password); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT uuid, src_port FROM homer_lake.main.hep_proto_1_call ORDER BY uuid")) {
      List<Object> rows = new ArrayList<>();
      while (rs.next()) {
        Object o = rs.getObject(2);
        rows.add(List.of(rs.getString(1), value(o), o.getClass().getName(), rs.getLong(2),
            rs.getString(2)));
      }
      return rows;
    }
  }

  static Object runPrepared(Connection c, String sql, Object... params) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("parameters", attempt("getParameterMetaData", () -> {
        java.sql.ParameterMetaData pmd = ps.getParameterMetaData();
        List<Object> types = new ArrayList<>();
        for (int i = 1; i <= pmd.getParameterCount(); i++) {
          types.add(jdbcTypeName(pmd.getParameterType(i)));
        }
        return types;
      }));
      out.put("result", attempt("bind + executeQuery", () -> {
        for (int i = 0; i < params.length; i++) {
          Object p = params[i];
          if (p instanceof String) {
            ps.setString(i + 1, (String) p);
          } else if (p instanceof Integer) {
            ps.setInt(i + 1, (Integer) p);
          } else if (p instanceof Long) {
            ps.setLong(i + 1, (Long) p);
          } else {
            throw new IllegalArgumentException("parameter type " + p.getClass());
          }
        }
        try (ResultSet rs = ps.executeQuery()) {
          return read(rs);
        }
      }));
      return out;
    }
  }

  Object prepared() throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    try (Connection c = connectBasic(password)) {
      String byMethod = "SELECT uuid, src_port FROM homer_lake.main.hep_proto_1_call "
          + "WHERE method = ? ORDER BY uuid";
      String byPort = "SELECT uuid, method FROM homer_lake.main.hep_proto_1_call "
          + "WHERE src_port = ? ORDER BY uuid";
      out.put("no_parameters", attempt("prepared without parameters", () -> runPrepared(c,
          "SELECT uuid FROM homer_lake_hot.main.hep_proto_1_call ORDER BY uuid")));
      out.put("set_string", attempt("setString", () -> runPrepared(c, byMethod, "INVITE")));
      out.put("set_int", attempt("setInt", () -> runPrepared(c, byPort, 5061)));
      out.put("set_long", attempt("setLong", () -> runPrepared(c, byPort, 4294967295L)));
      out.put("two_parameters", attempt("setString + setInt", () -> runPrepared(c,
          "SELECT count(*) AS n FROM homer_lake.main.hep_proto_1_call WHERE method <> ? AND src_port > ?",
          "BYE", 5060)));
      out.put("value_stays_value", attempt("injection attempt as a value", () -> runPrepared(c,
          "SELECT count(*) AS n FROM homer_lake.main.hep_proto_1_call WHERE uuid = ?",
          "x' OR '1'='1")));
      out.put("rebound", attempt("one PreparedStatement executed twice", () -> {
        List<Object> results = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(byMethod)) {
          for (String m : List.of("INVITE", "CANCEL")) {
            ps.setString(1, m);
            try (ResultSet rs = ps.executeQuery()) {
              results.add(read(rs).get("rows"));
            }
          }
        }
        return results;
      }));
    }
    return out;
  }

  // --- JSON -------------------------------------------------------------------------------------
  static void json(StringBuilder sb, Object v) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String) {
      sb.append('"');
      for (char ch : ((String) v).toCharArray()) {
        switch (ch) {
          case '"': sb.append("\\\""); break;
          case '\\': sb.append("\\\\"); break;
          case '\n': sb.append("\\n"); break;
          case '\r': sb.append("\\r"); break;
          case '\t': sb.append("\\t"); break;
          default:
            if (ch < 0x20) {
              sb.append(String.format("\\u%04x", (int) ch));
            } else {
              sb.append(ch);
            }
        }
      }
      sb.append('"');
    } else if (v instanceof Number || v instanceof Boolean) {
      sb.append(v);
    } else if (v instanceof Map) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        if (!first) sb.append(',');
        first = false;
        json(sb, String.valueOf(e.getKey()));
        sb.append(':');
        json(sb, e.getValue());
      }
      sb.append('}');
    } else if (v instanceof List) {
      sb.append('[');
      boolean first = true;
      for (Object o : (List<?>) v) {
        if (!first) sb.append(',');
        first = false;
        json(sb, o);
      }
      sb.append(']');
    } else {
      json(sb, v.toString());
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      System.err.println("usage: JdbcCheck HOST PORT USER PASSWORD SECTION...");
      System.exit(2);
    }
    JdbcCheck check = new JdbcCheck(args[0], Integer.parseInt(args[1]), args[2], args[3]);
    Map<String, Object> report = new LinkedHashMap<>();
    Map<String, Object> timings = new LinkedHashMap<>();
    for (int i = 4; i < args.length; i++) {
      String section = args[i];
      long start = System.nanoTime();
      Object result;
      switch (section) {
        case "connect_basic":
          result = attempt(section, () -> check.connect(() -> check.connectBasic(check.password)));
          break;
        case "connect_basic_url":
          result = attempt(section, () -> check.connect(() -> check.connectBasicUrl(check.password)));
          break;
        case "connect_token":
          result = attempt(section, () -> check.connect(() -> check.connectToken(check.password)));
          break;
        case "wrong_password":
          result = check.refused(() -> check.connectBasic("wrong-" + check.password));
          break;
        case "wrong_token":
          result = check.refused(() -> check.connectToken("wrong-" + check.password));
          break;
        case "update":
          result = attempt(section, check::update);
          break;
        case "catalogs":
          result = attempt(section, check::catalogs);
          break;
        case "columns":
          result = attempt(section, check::columns);
          break;
        case "type_info":
          result = attempt(section, check::typeInfo);
          break;
        case "database_info":
          result = attempt(section, check::databaseInfo);
          break;
        case "unsigned":
          result = attempt(section, check::unsigned);
          break;
        case "statement":
          result = attempt(section, check::statement);
          break;
        case "prepared":
          result = attempt(section, check::prepared);
          break;
        default:
          throw new IllegalArgumentException("unknown section " + section);
      }
      report.put(section, result);
      timings.put(section, (System.nanoTime() - start) / 1_000_000);
    }
    report.put("timings_ms", timings);
    StringBuilder sb = new StringBuilder();
    json(sb, report);
    System.out.println(sb);
    System.out.flush();
    // The driver's gRPC/Netty threads are not all daemons; do not wait for them.
    System.exit(0);
  }
}
